import { describe, expect, it } from 'vitest';
import {
  ambiguousNames, areaCovers, communeKey, createPlaceResolver, foldName, groupKey, normalizeInventoryAliases, normalizeSettingsAliases, refMatches,
} from './places.js';

describe('keys', () => {
  it('a commune is keyed by province + name; a group likewise, and no key without a group', () => {
    expect(communeKey({ province: 'Khánh Hòa', commune: 'Bác Ái' })).toBe('Khánh Hòa/Bác Ái');
    expect(communeKey({ province: 'Phú Thọ', commune: 'Tân Lập' })).not.toBe(communeKey({ province: 'Thái Nguyên', commune: 'Tân Lập' }));
    expect(groupKey({ province: 'Lào Cai', group: 'Bát Xát' })).toBe('Lào Cai/Bát Xát');
    expect(groupKey({ province: 'Lào Cai' })).toBeNull();
  });
  const cases = [
    { name: 'plain name: any province', ref: 'Tân Lập', province: 'Phú Thọ', place: 'Tân Lập', want: true },
    { name: 'Province/Name: that province', ref: 'Phú Thọ/Tân Lập', province: 'Phú Thọ', place: 'Tân Lập', want: true },
    { name: 'Province/Name: not another province', ref: 'Thái Nguyên/Tân Lập', province: 'Phú Thọ', place: 'Tân Lập', want: false },
    { name: 'another name', ref: 'Tân Sơn', province: 'Phú Thọ', place: 'Tân Lập', want: false },
    { name: 'no group never matches', ref: 'Bát Xát', province: 'Lào Cai', place: undefined, want: false },
  ];
  for (const c of cases) it(`refMatches: ${c.name}`, () => expect(refMatches(c.ref, c.province, c.place)).toBe(c.want));

  it('areaCovers: an area entry with a province, a written key, or a group', () => {
    const p = { province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý' };
    expect(areaCovers({ level: 'commune', name: 'Y Tý' }, p)).toBe(true);
    expect(areaCovers({ level: 'commune', name: 'Y Tý', province: 'Điện Biên' }, p)).toBe(false);
    expect(areaCovers({ level: 'commune', name: 'Lào Cai/Y Tý' }, p)).toBe(true);
    expect(areaCovers({ level: 'group', name: 'Bát Xát' }, p)).toBe(true);
    expect(areaCovers({ level: 'group', name: 'Bát Xát' }, { province: 'Lào Cai', commune: 'Y Tý' })).toBe(false);
    expect(areaCovers({ level: 'province', name: 'Lào Cai' }, p)).toBe(true);
    expect(areaCovers({ level: 'province', name: 'Y Tý' }, p)).toBe(false);
  });

  it('ambiguousNames: commune names used in more than one province', () => {
    expect([...ambiguousNames([
      { province: 'Phú Thọ', commune: 'Tân Lập' }, { province: 'Thái Nguyên', commune: 'Tân Lập' }, { province: 'Phú Thọ', commune: 'Tân Sơn' }, { province: 'Phú Thọ', commune: 'Tân Sơn' },
    ])]).toEqual([['Tân Lập', ['Phú Thọ', 'Thái Nguyên']]]);
  });

  it('foldName: case, Unicode form, spaces and the xã/phường/huyện word do not matter', () => {
    expect(foldName('  Xã  Bác Ái ')).toBe(foldName('bác ái'));
    expect(foldName('Bác Ái'.normalize('NFD'))).toBe(foldName('Bác Ái'));
    expect(foldName('phường Nha Trang')).toBe('nha trang');
    expect(foldName('huyện Bát Xát')).toBe('bát xát');
  });
});

describe('normalizeInventoryAliases (inventories from before the reform)', () => {
  it('district is read as group, one warning for the file; areas at level district are groups', () => {
    const { value, problems } = normalizeInventoryAliases({
      sites: [{ id: 'a', district: 'Bát Xát' }, { id: 'b', district: 'Sa Pa' }, { id: 'c' }],
      areas: [{ level: 'district', name: 'Bát Xát' }, { level: 'province', name: 'Lào Cai' }],
    });
    expect(value).toEqual({
      sites: [{ id: 'a', group: 'Bát Xát' }, { id: 'b', group: 'Sa Pa' }, { id: 'c' }],
      areas: [{ level: 'group', name: 'Bát Xát' }, { level: 'province', name: 'Lào Cai' }],
    });
    expect(problems).toEqual([{ path: ['sites', 0, 'district'], warning: true, message: "'district' (3 places) is read as the optional group (districts were abolished in 2025): rename it to 'group', or drop it" }]);
  });
  it('both district and group on one site is a problem naming the field (once); the input is not changed', () => {
    const raw = { sites: [{ id: 'a', district: 'X', group: 'Y' }] };
    const { problems, value } = normalizeInventoryAliases(raw);
    expect(value).toEqual({ sites: [{ id: 'a', group: 'Y' }] });
    expect(problems).toEqual([{ path: ['sites', 0, 'district'], message: 'give group or district (its former name), not both' }]);
    expect(raw.sites[0]).toEqual({ id: 'a', district: 'X', group: 'Y' });
  });
  it('a two-tier inventory: nothing to say', () => {
    expect(normalizeInventoryAliases({ sites: [{ id: 'a', commune: 'Bác Ái' }] }).problems).toEqual([]);
  });
});

describe('normalizeSettingsAliases', () => {
  it('escalation level district and shard.districts mean the group', () => {
    const { value, problems } = normalizeSettingsAliases({ alerting: { escalation: [{ after: '30m', level: 'district' }, { after: '2h', level: 'province' }] }, poller: { shard: { districts: ['Bát Xát'] } } });
    expect(value).toEqual({ alerting: { escalation: [{ after: '30m', level: 'group' }, { after: '2h', level: 'province' }] }, poller: { shard: { groups: ['Bát Xát'] } } });
    expect(problems.map((p) => [p.path.join('.'), p.warning])).toEqual([['alerting.escalation.0.level', true], ['poller.shard.districts', true]]);
  });
});

describe('createPlaceResolver: names as power-cut schedules and ISP records write them', () => {
  const sites = [
    { province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý' }, { province: 'Lào Cai', group: 'Sa Pa', commune: 'Sa Pả' },
    { province: 'Điện Biên', commune: 'Y Tý' },
  ];
  const communes = [
    { province: 'Lào Cai', name: 'Y Tý', former_names: [{ name: 'Trịnh Tường', district: 'Bát Xát' }, { name: 'Bản Hồ', district: 'Bát Xát' }] },
    { province: 'Lào Cai', name: 'Sa Pả', former_names: [{ name: 'Bản Hồ', district: 'Sa Pa' }] },
    { province: 'Tuyên Quang', name: 'Đồng Văn', former_names: [{ name: 'Phố Bảng', district: 'Đồng Văn', province: 'Hà Giang' }] },
  ];
  const r = createPlaceResolver(sites, communes);
  const cases: Array<{ name: string; text: string; hint?: { province?: string; district?: string }; want: string }> = [
    { name: 'a current name', text: 'xã Sa Pả', want: 'Lào Cai/Sa Pả (current)' },
    { name: 'a current name repeated in two provinces', text: 'Y Tý', want: "ambiguous: 'Y Tý' is a commune in 2 provinces (Điện Biên/Y Tý, Lào Cai/Y Tý): write Province/Y Tý" },
    { name: '... told apart by Province/Name', text: 'Điện Biên/Y Tý', want: 'Điện Biên/Y Tý (current)' },
    { name: '... or by the province hint', text: 'Y Tý', hint: { province: 'Lào Cai' }, want: 'Lào Cai/Y Tý (current)' },
    { name: 'a former name', text: 'TRỊNH TƯỜNG', want: 'Lào Cai/Y Tý (former)' },
    { name: 'a former name in two former districts', text: 'Bản Hồ', want: "ambiguous: former commune 'Bản Hồ' is now part of Lào Cai/Sa Pả, Lào Cai/Y Tý: give its former district to tell them apart" },
    { name: '... told apart by the former district', text: 'Bản Hồ', hint: { district: 'huyện Sa Pa' }, want: 'Lào Cai/Sa Pả (former)' },
    { name: 'a former name under its former province (provinces merged too)', text: 'Hà Giang/Phố Bảng', want: 'Tuyên Quang/Đồng Văn (former)' },
    { name: 'unknown', text: 'Mường Hum', want: "unknown: 'Mường Hum' is neither a current nor a former commune of the inventory" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = r.commune(c.text, c.hint);
      expect(got.ok ? `${communeKey(got.place)} (${got.via})` : `${got.reason}: ${got.message}`).toBe(c.want);
    });
  }
  it('groups by name or Province/Name', () => {
    expect(r.groups('bát xát')).toEqual(['Lào Cai/Bát Xát']);
    expect(r.groups('Điện Biên/Bát Xát')).toEqual([]);
    expect(r.groups('Mường Khương')).toEqual([]);
  });
});
