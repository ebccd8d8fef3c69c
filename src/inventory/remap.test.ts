import { describe, expect, it } from 'vitest';
import { parseMappingCsv, remapInventory, type MappingRow } from './remap.js';

const csv = (lines: string[]) => `${lines.join('\n')}\n`;

describe('parseMappingCsv', () => {
  it('reads rows with optional columns; every bad row named by line and column', () => {
    const { rows, problems } = parseMappingCsv(csv([
      'old_commune,old_district,new_commune,province,kind',
      'Trịnh Tường,Bát Xát,Y Tý,Lào Cai,xa',
      'Bản Hồ,Sa Pa,Tả Van,,',
      ',Sa Pa,Tả Van,,',
      'Lao Chải,Sa Pa,,,',
      'Tả Phìn,Sa Pa,Sa Pa,,thi_tran',
      'Trịnh Tường,Bát Xát,A Mú Sung,Lào Cai,',
      'Trịnh Tường,Bát Xát,Y Tý,Lào Cai,',
      'Mường Hum,Bát Xát',
    ]), 'map.csv');
    expect(rows.map((r) => [r.line, r.old_commune, r.old_district, r.new_commune, r.province, r.kind])).toEqual([
      [2, 'Trịnh Tường', 'Bát Xát', 'Y Tý', 'Lào Cai', 'xa'],
      [3, 'Bản Hồ', 'Sa Pa', 'Tả Van', undefined, undefined],
      [8, 'Trịnh Tường', 'Bát Xát', 'Y Tý', 'Lào Cai', undefined],
    ]);
    expect(problems).toEqual([
      'map.csv:4: column old_commune: empty',
      'map.csv:5: column new_commune: empty',
      "map.csv:6: column kind: 'thi_tran' is not one of xa, phuong, dac_khu",
      "map.csv:7: column new_commune: 'Trịnh Tường' (Bát Xát) already goes to 'Y Tý' on line 2",
      'map.csv:9: 2 fields, the header has 5',
    ]);
  });
  it('names unknown and missing header columns', () => {
    expect(parseMappingCsv('old,new_commune\n', 'm.csv').problems).toEqual([
      "m.csv:1: unknown column 'old' (known: old_commune, old_district, new_commune, province, new_group, kind)",
      "m.csv:1: missing column 'old_commune'",
    ]);
  });
});

describe('remapInventory', () => {
  const row = (line: number, old_commune: string, new_commune: string, more: Partial<MappingRow> = {}): MappingRow => ({ line, old_commune, new_commune, ...more });
  const site = (id: string, commune: string, district: string, more: object = {}) => ({ id, province: 'Lào Cai', district, commune, ...more });
  const inventory = {
    sites: [
      site('tt-1', 'Trịnh Tường', 'Bát Xát'), site('yty-1', 'Y Tý', 'Bát Xát'),
      site('bh-1', 'Bản Hồ', 'Sa Pa'), site('bh-2', 'Bản Hồ', 'Bát Xát'), // two former communes named Bản Hồ
    ],
    areas: [
      { level: 'commune', name: 'Trịnh Tường', contacts: [{ name: 'UBND xã Trịnh Tường' }] },
      { level: 'district', name: 'Bát Xát', contacts: [{ name: 'Phòng VH huyện' }] },
      { level: 'province', name: 'Lào Cai', contacts: [{ name: 'Sở' }] },
    ],
  };
  const rows = [
    row(2, 'Trịnh Tường', 'Y Tý', { kind: 'xa' }), row(3, 'Y Tý', 'Y Tý'),
    row(4, 'Bản Hồ', 'Tả Van', { old_district: 'Sa Pa' }), row(5, 'Bản Hồ', 'Bát Xát', { old_district: 'Bát Xát', kind: 'xa' }),
    row(6, 'Mường Hum', 'Bát Xát'),
  ];

  it('moves every site to its new commune, drops the district, records former names; the input is not changed', () => {
    const before = structuredClone(inventory);
    const r = remapInventory(inventory, rows, { mappingFile: 'map.csv' });
    expect(r.problems).toEqual([]);
    expect(inventory).toEqual(before);
    expect((r.value.sites as object[])).toEqual([
      { id: 'tt-1', province: 'Lào Cai', commune: 'Y Tý' }, { id: 'yty-1', province: 'Lào Cai', commune: 'Y Tý' },
      { id: 'bh-1', province: 'Lào Cai', commune: 'Tả Van' }, { id: 'bh-2', province: 'Lào Cai', commune: 'Bát Xát' },
    ]);
    expect(r.value.communes).toEqual([
      { province: 'Lào Cai', name: 'Y Tý', kind: 'xa', former_names: [{ name: 'Trịnh Tường', district: 'Bát Xát' }] },
      { province: 'Lào Cai', name: 'Tả Van', former_names: [{ name: 'Bản Hồ', district: 'Sa Pa' }] },
      { province: 'Lào Cai', name: 'Bát Xát', kind: 'xa', former_names: [{ name: 'Bản Hồ', district: 'Bát Xát' }] },
    ]);
    expect(r.moved).toBe(3);
    // the merged commune's contacts follow it; the abolished district office is dropped, and said so
    expect(r.value.areas).toEqual([
      { level: 'commune', name: 'Y Tý', contacts: [{ name: 'UBND xã Trịnh Tường' }] },
      { level: 'province', name: 'Lào Cai', contacts: [{ name: 'Sở' }] },
    ]);
    expect(r.warnings).toEqual([
      "map.csv:6: no site is in commune 'Mường Hum'",
      "areas: contacts of district 'Bát Xát' dropped (no group level after the remap; give --keep-group to keep former districts as groups)",
    ]);
  });

  it('--keep-group: the former district becomes the group, its contacts group contacts', () => {
    const r = remapInventory(inventory, rows, { mappingFile: 'map.csv', keepGroup: true });
    expect((r.value.sites as Array<{ group?: string }>).map((s) => s.group)).toEqual(['Bát Xát', 'Bát Xát', 'Sa Pa', 'Bát Xát']);
    expect((r.value.areas as Array<{ level: string }>).map((a) => a.level)).toEqual(['commune', 'group', 'province']);
  });

  it('every site it cannot map is a problem at that site; so is one two rows claim', () => {
    const r = remapInventory({
      sites: [site('a', 'Mường Hum', 'Bát Xát'), site('b', 'Bản Hồ', 'Than Uyên'), site('c', 'Y Tý', 'Bát Xát')],
    }, [row(2, 'Bản Hồ', 'Tả Van'), row(3, 'Bản Hồ', 'Bát Xát', { province: 'Lào Cai' }), row(4, 'Y Tý', 'Y Tý')], { mappingFile: 'map.csv' });
    expect(r.problems).toEqual([
      { path: ['sites', 0, 'commune'], message: "site 'a' (Mường Hum, Bát Xát, Lào Cai): no row of map.csv maps it, and 'Mường Hum' is not a current commune" },
      { path: ['sites', 1, 'commune'], message: "site 'b' (Bản Hồ, Than Uyên, Lào Cai): rows 2, 3 of map.csv map it to different communes (Tả Van, Bát Xát): give old_district or province" },
    ]);
  });

  it('a site already in a current commune stays; names compare as people write them', () => {
    const r = remapInventory({ sites: [site('a', 'xã Y Tý', 'Bát Xát'), site('b', 'Tả Van', 'Sa Pa')] }, [row(2, 'Y Tý', 'Y Tý'), row(3, 'Bản Hồ', 'Tả Van')], { mappingFile: 'm.csv' });
    expect(r.problems).toEqual([]);
    expect(r.value.sites).toEqual([{ id: 'a', province: 'Lào Cai', commune: 'Y Tý' }, { id: 'b', province: 'Lào Cai', commune: 'Tả Van' }]);
    expect(r.moved).toBe(0);
  });
});
