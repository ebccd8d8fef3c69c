import { describe, expect, it } from 'vitest';
import { siteWithDefaults } from '../config/defaults.js';
import { CSV_COLUMNS, parseSitesCsv, sitesToCsv } from './csv.js';

const row = (cells: string[]) => cells.join(',');

describe('CSV: two tiers', () => {
  it('a spreadsheet without a group (or district) column imports', () => {
    const { rows, problems } = parseSitesCsv([
      row(['id', 'name', 'kind', 'province', 'commune', 'host', 'snmp_version']),
      row(['nvh-ba', 'NVH Bác Ái', 'cultural_house', 'Khánh Hòa', 'Bác Ái', '192.0.2.1', 'none']),
    ].join('\n'));
    expect(problems).toEqual([]);
    expect(rows[0]!.site).toMatchObject({ id: 'nvh-ba', province: 'Khánh Hòa', commune: 'Bác Ái', snmp: false });
    expect(rows[0]!.site).not.toHaveProperty('group');
  });
  it('a sheet from before the reform: its district column is read as group', () => {
    const { rows, problems } = parseSitesCsv([
      row(['id', 'name', 'kind', 'province', 'district', 'commune', 'host']),
      row(['a', 'A', 'other', 'Lào Cai', 'Bát Xát', 'Y Tý', '192.0.2.1']),
      row(['b', 'B', 'other', 'Lào Cai', '', 'Y Tý', '192.0.2.2']),
    ].join('\n'));
    expect(problems).toEqual([]);
    expect(rows.map((r) => r.site.group)).toEqual(['Bát Xát', undefined]);
    expect(rows[0]!.site).not.toHaveProperty('district');
  });
  it('both columns: a problem on the header, naming the column', () => {
    const { problems } = parseSitesCsv(`${row(['id', 'name', 'kind', 'province', 'group', 'district', 'commune', 'host'])}\n`);
    expect(problems).toEqual([{ line: 1, column: 'district', message: "give a 'group' or a 'district' column (its former name), not both" }]);
  });
  it('export writes a group column, empty for a site without one; export then import gives the same sites', () => {
    const sites = [
      siteWithDefaults({ id: 'a', name: 'A', kind: 'other', province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý', host: '192.0.2.1', snmp: false }),
      siteWithDefaults({ id: 'b', name: 'B', kind: 'other', province: 'Khánh Hòa', commune: 'Bác Ái', host: '192.0.2.2', snmp: false }),
    ];
    expect(CSV_COLUMNS).toContain('group');
    expect(CSV_COLUMNS).not.toContain('district');
    const back = parseSitesCsv(sitesToCsv(sites)).rows.map((r) => siteWithDefaults(r.site));
    expect(back).toEqual(sites);
  });
});

describe('CSV: push sites', () => {
  const cases = [
    { name: 'a push-only site (no host, no SNMP): push_interval_s round-trips', site: siteWithDefaults({ id: 'p1', name: 'Push', kind: 'cultural_house', province: 'P', commune: 'C', push: { interval_s: 60 } }) },
    { name: 'a polled site: no push column value', site: siteWithDefaults({ id: 'q1', name: 'Polled', kind: 'info_point', province: 'P', group: 'G', commune: 'C', host: '192.0.2.1', snmp: { version: '2c', community: 'c' } }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { rows, problems } = parseSitesCsv(sitesToCsv([c.site]));
      expect(problems).toEqual([]);
      expect(siteWithDefaults(rows[0]!.site)).toEqual(c.site);
    });
  }
});
