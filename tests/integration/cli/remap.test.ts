/**
 * `pointwatch inventory remap` through the real CLI: an inventory from before the 2025 reform,
 * mapping CSVs with unmappable rows and sites (every one reported, by file and line, and NOTHING
 * written), then a good one (dry run changes nothing; --write replaces the file atomically and keeps
 * a .bak); the result loads clean, and a power-cut schedule still written with the old names lands
 * on the new communes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../helpers/cli.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/remap');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-remap-'));
const inv = path.join(tmp, 'sites.yaml');
const env = { TT_COMMUNITY: 'remap-secret-1', POINTWATCH_DATA_DIR: path.join(tmp, 'data') };
const remap = (map: string, ...more: string[]) => runCli(['inventory', 'remap', '--inventory', inv, '--mapping', path.join(FIXTURES, map), ...more], { env });
const ORIGINAL = fs.readFileSync(path.join(FIXTURES, 'old-sites.yaml'), 'utf8');

beforeEach(() => {
  for (const f of fs.readdirSync(tmp)) fs.rmSync(path.join(tmp, f), { recursive: true, force: true });
  fs.writeFileSync(inv, ORIGINAL);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const untouched = () => {
  expect(fs.readFileSync(inv, 'utf8')).toBe(ORIGINAL);
  expect(fs.readdirSync(tmp).sort()).toEqual(['sites.yaml']);
};

describe('pointwatch inventory remap', () => {
  it('bad mapping rows: every one by line and column, exit 2, nothing written even with --write', () => {
    const r = remap('map-broken.csv', '--write');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'map-broken.csv:4: column old_commune: empty',
      "map-broken.csv:5: column kind: 'thi_tran' is not one of xa, phuong, dac_khu",
    ]);
    expect(r.stdout).toBe('');
    untouched();
  });

  it('sites no row maps: every one at its place in the inventory, exit 2, nothing written even with --write', () => {
    const r = remap('map-missing.csv', '--write', '--out', path.join(tmp, 'new.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${inv}:7:117: sites[4].commune: site 'mh-nvh' (Mường Hum, Bát Xát, Lào Cai): no row of map-missing.csv maps it, and 'Mường Hum' is not a current commune`,
    ]);
    untouched();
  });

  it('without --write: the new inventory on stdout, the file unchanged', () => {
    const r = remap('map-good.csv');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/would move 4 sites to 3 communes \(nothing written: give --write\)\n$/);
    const out = parseYaml(r.stdout) as { sites: Array<Record<string, unknown>> };
    expect(out.sites.map((s) => [s.id, s.commune, s.district])).toEqual([
      ['tt-nvh', 'Y Tý', undefined], ['tt-ubnd', 'Y Tý', undefined], ['yty-nvh', 'Y Tý', undefined], ['bh-nvh', 'Tả Van', undefined], ['mh-nvh', 'Bát Xát', undefined],
    ]);
    // a secret stays a reference: never expanded into the output
    expect(r.stdout).toContain('${TT_COMMUNITY}');
    expect(r.stdout).not.toContain('remap-secret-1');
    untouched();
  });

  it('--write: the file replaced (old one kept as .bak); it loads clean, and a schedule with old names lands on the new communes', () => {
    const r = remap('map-good.csv', '--write');
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(`${inv}.bak`, 'utf8')).toBe(ORIGINAL);
    const written = parseYaml(fs.readFileSync(inv, 'utf8')) as { communes: unknown[]; areas: Array<{ level: string; name: string }> };
    expect(written.communes).toEqual([
      { province: 'Lào Cai', name: 'Y Tý', former_names: [{ name: 'Trịnh Tường', district: 'Bát Xát' }], kind: 'xa' },
      { province: 'Lào Cai', name: 'Tả Van', former_names: [{ name: 'Bản Hồ', district: 'Sa Pa' }], kind: 'xa' },
      { province: 'Lào Cai', name: 'Bát Xát', former_names: [{ name: 'Mường Hum', district: 'Bát Xát' }], kind: 'xa' },
    ]);
    expect(written.areas.map((a) => `${a.level}:${a.name}`)).toEqual(['commune:Y Tý', 'province:Lào Cai']);
    const check = runCli(['check-config', '--inventory', inv], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).not.toMatch(/district/);
    expect(check.stdout).toMatch(/5 sites in 3 communes, 1 province\n/);

    const cuts = path.join(tmp, 'evn.csv');
    fs.writeFileSync(cuts, 'area,start,end,reason,district\nxã Trịnh Tường,2026-12-10 07:00,2026-12-10 11:00,Thay cột,huyện Bát Xát\nBản Hồ,2026-12-11 07:00,2026-12-11 09:00,,Sa Pa\n');
    const imp = runCli(['maintenance', 'import', cuts, '--inventory', inv, '--dry-run'], { env });
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[1])).toEqual(['commune:Lào Cai/Y Tý', 'commune:Lào Cai/Tả Van']);
  });
});
