/** The example inventory is a real post-reform province (issue 18 item 4): two tiers, current names, former ones that still resolve. */
import { describe, expect, it } from 'vitest';
import { createPlaceResolver } from '../inventory/places.js';
import { loadConfig } from './load.js';

const cfg = await loadConfig({ config: 'config/pointwatch.example.yaml', env: {} });
const inv = cfg.inventory;

describe('example inventory: Lào Cai after 1 July 2025', () => {
  it('has no district, ten current communes (nine xã, one phường) and field details on its points', () => {
    expect(cfg.warnings).toEqual([]);
    for (const s of inv.sites) expect(s).not.toHaveProperty('district');
    expect([...new Set(inv.sites.map((s) => s.commune))].sort((a, b) => a.localeCompare(b, 'vi'))).toEqual(
      ['A Mú Sung', 'Bản Hồ', 'Bát Xát', 'Dền Sáng', 'Sa Pa', 'Si Ma Cai', 'Sín Chéng', 'Tả Phìn', 'Tả Van', 'Y Tý'],
    );
    expect(inv.communes?.map((c) => `${c.kind} ${c.name}`).filter((k) => !k.startsWith('xa '))).toEqual(['phuong Sa Pa']);
    expect(new Set(inv.communes?.map((c) => c.name))).toEqual(new Set(inv.sites.map((s) => s.commune)));
    expect(inv.sites.filter((s) => s.sim).length).toBeGreaterThan(10);
    expect(inv.sites.filter((s) => s.key_holder).length).toBeGreaterThan(10);
    expect(inv.sites.every((s) => s.power?.length)).toBe(true);
  });

  const resolver = createPlaceResolver(inv.sites, inv.communes ?? []);
  it.each([
    { name: 'a merged commune by its old name', text: 'Trung Chải', want: 'Tả Phìn' },
    { name: 'another', text: 'Cán Cấu', want: 'Si Ma Cai' },
    { name: 'a former district town', text: 'Quang Kim', want: 'Bát Xát' },
    { name: 'a former ward of Sa Pa town', text: 'Cầu Mây', want: 'Sa Pa' },
    { name: 'an old name with its former district', text: 'Thanh Bình', district: 'Sa Pa', want: 'Bản Hồ' },
    { name: 'a current name', text: 'Lào Cai/Y Tý', want: 'Y Tý' },
  ])('$name: $text → $want', ({ text, district, want }) => {
    const r = resolver.commune(text, district ? { district } : {});
    expect(r.ok && r.place).toEqual({ province: 'Lào Cai', commune: want });
  });
});
