import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { siteWithDefaults } from '../config/defaults.js';
import { Site, type Site as SiteT } from '../config/schema.js';
import { CSV_COLUMNS, parseSitesCsv, siteToRow, sitesToCsv } from './csv.js';

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

const base = Value.Default(Site, {
  id: 'nvh-lao-chai', name: 'Nhà văn hóa thôn Lao Chải', kind: 'cultural_house', province: 'Lào Cai', commune: 'Y Tý',
  host: '192.0.2.12', snmp: false,
}) as SiteT;

describe('CSV columns for field details (sim, isp, bandwidth, power, key holder, router)', () => {
  const cases: Array<{ name: string; site: Partial<SiteT>; cells: Record<string, string> }> = [
    { name: 'none given: empty cells', site: {}, cells: { sim_number: '', isp: '', bandwidth_down_mbps: '', power: '', key_holder: '', router_model: '' } },
    { name: 'a 4G SIM', site: { sim: { number: '0912 000 107', carrier: 'Viettel' } }, cells: { sim_number: '0912 000 107', sim_carrier: 'Viettel' } },
    { name: 'an ISP without account number', site: { isp: { name: 'VNPT' } }, cells: { isp: 'VNPT', isp_account: '' } },
    { name: 'a contracted package', site: { bandwidth: { down_mbps: 30, up_mbps: 7.5 } }, cells: { bandwidth_down_mbps: '30', bandwidth_up_mbps: '7.5' } },
    { name: 'download only', site: { bandwidth: { down_mbps: 100 } }, cells: { bandwidth_down_mbps: '100', bandwidth_up_mbps: '' } },
    { name: 'two power sources', site: { power: ['solar', 'ups'] }, cells: { power: 'solar; ups' } },
    { name: 'a key holder', site: { key_holder: { name: 'Bà Lý Thị Mai', phone: '0912000108' } }, cells: { key_holder: 'Bà Lý Thị Mai|0912000108' } },
    { name: 'router model and serial', site: { router: { model: 'MikroTik hAP ac2', serial: 'HCA08ZZ1234' } }, cells: { router_model: 'MikroTik hAP ac2', router_serial: 'HCA08ZZ1234' } },
  ];
  it.each(cases)('$name: exported as cells, imported back the same', ({ site, cells }) => {
    const s = { ...base, ...site } as SiteT;
    expect(siteToRow(s)).toMatchObject(cells);
    const { rows, problems } = parseSitesCsv(sitesToCsv([s]));
    expect(problems).toEqual([]);
    expect(Value.Default(Site, rows[0]!.site)).toEqual(s);
  });
  it('a spreadsheet without the new columns still imports', () => {
    const { rows, problems } = parseSitesCsv('id,name,kind,province,commune,host\nx,X,other,P,C,192.0.2.1\n');
    expect(problems).toEqual([]);
    expect(rows[0]!.site).not.toHaveProperty('sim');
    expect(rows[0]!.site).not.toHaveProperty('bandwidth');
  });
  it('a bandwidth cell that is not a number is left for the schema to name', () => {
    const { rows } = parseSitesCsv('id,name,kind,province,commune,host,bandwidth_down_mbps\nx,X,other,P,C,192.0.2.1,30M\n');
    expect(rows[0]!.site.bandwidth).toEqual({ down_mbps: '30M' });
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
