import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../helpers/cli.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-cli-'));

describe('pointwatch check-config', () => {
  it('passes on the example files (exit 0)', () => {
    const r = runCli(['check-config']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/43 sites in 10 communes, 1 province, 3 groups/);
  });
  it('lists every problem as file:line:col and exits 2', () => {
    const r = runCli(['check-config', '--inventory', 'tests/fixtures/config/invalid-kind-and-version.yaml']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/invalid-kind-and-version\.yaml:\d+:\d+: sites\[0\]\./);
  });
  it('takes the config from POINTWATCH_CONFIG', () => {
    const r = runCli(['check-config'], { env: { POINTWATCH_CONFIG: 'tests/fixtures/config/invalid-settings-values.yaml' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/poller\.ping\.count: must be <= 20/);
  });
  it('--help works for every command', { timeout: 180_000 }, () => {
    for (const cmd of [[], ['check-config'], ['inventory', 'import'], ['inventory', 'export'], ['schema']]) {
      const r = runCli([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: pointwatch/);
    }
  });
  it('warns (exit 0) when an escalation level has nobody to tell for a commune or province with sites', () => {
    const inv = path.join(tmp, 'no-contacts.yaml');
    fs.writeFileSync(inv, [
      'sites:',
      '  - { id: a, name: A, kind: other, province: Khánh Hòa, commune: Bác Ái, host: 192.0.2.1, snmp: false }',
      '  - { id: b, name: B, kind: other, province: Khánh Hòa, commune: Cam Lâm, host: 192.0.2.2, snmp: false, contacts: [{ name: Keeper, phone: "0912 000 111" }] }',
      'areas:',
      '  - { level: commune, name: Bác Ái, contacts: [] }',
    ].join('\n'));
    const r = runCli(['check-config', '--inventory', inv]);
    expect(r.code).toBe(0);
    // besides the runbook contacts warned about with file:line:col (next test)
    expect(r.stderr.trim().split('\n').filter((l) => l.includes('nobody to tell'))).toEqual([
      `warning: ${inv}: first notice (commune level): nobody to tell for commune 'Khánh Hòa/Bác Ái' (1 site): add to areas: { level: commune, name: Bác Ái, province: Khánh Hòa, contacts: [...] }`,
      `warning: ${inv}: escalation to province after 1h: nobody to tell for province 'Khánh Hòa' (2 sites): add to areas: { level: province, name: Khánh Hòa, contacts: [...] }`,
    ]);
    expect(r.stdout).toMatch(/2 sites in 2 communes, 1 province\n/);
  });
  it('warns (exit 0) about contacts a runbook would show as "not declared", each with file:line:col', () => {
    const inv = path.join(tmp, 'no-runbook-contacts.yaml');
    fs.writeFileSync(inv, [
      'sites:',
      '  - { id: nvh-1, name: Nhà văn hóa thôn 1, kind: cultural_house, province: Lào Cai, commune: Y Tý, host: 192.0.2.10, snmp: false }',
      '  - { id: nvh-2, name: Nhà văn hóa thôn 2, kind: cultural_house, province: Lào Cai, commune: Y Tý, host: 192.0.2.11, snmp: false,',
      "      contacts: [{ name: Trưởng thôn 2, phone: '0912000107' }] }",
      'areas: []',
      '',
    ].join('\n'));
    const r = runCli(['check-config', '--inventory', inv]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n').filter((l) => l.includes('not declared'));
    expect(lines).toEqual([
      `warning: ${inv}:2:5: sites[0].contacts: site 'nvh-1' has no contact at the site (key holder): runbooks will show {{site_contact}} as "not declared"`,
      expect.stringMatching(new RegExp(`^warning: ${inv.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:\\d+: sites\\[0\\]\\.commune: commune 'Y Tý' has no area contact`)),
    ]);
  });
  it('an unknown option is bad input (exit 2)', () => {
    expect(runCli(['check-config', '--nope']).code).toBe(2);
  });
});

describe('pointwatch inventory import/export', () => {
  it('CSV export then import round-trips every site', { timeout: 180_000 }, () => {
    const exported = runCli(['inventory', 'export', '--format', 'csv']);
    expect(exported.code).toBe(0);
    expect(exported.stdout.startsWith('\uFEFF')).toBe(true); // BOM for spreadsheets
    const csv = path.join(tmp, 'sites.csv');
    fs.writeFileSync(csv, exported.stdout);
    const out = path.join(tmp, 'sites.yaml');
    const imported = runCli(['inventory', 'import', csv, '--out', out]);
    expect(imported.stderr).toMatch(/wrote 43 sites/);
    expect(imported.code).toBe(0);
    const yamlExport = parseYaml(runCli(['inventory', 'export']).stdout) as { sites: unknown[] };
    const reimported = parseYaml(runCli(['inventory', 'export', '--inventory', out]).stdout) as { sites: unknown[] };
    expect(reimported.sites).toEqual(yamlExport.sites);
  });
  it('reports every bad cell by line and column and writes nothing', () => {
    const out = path.join(tmp, 'never.yaml');
    const r = runCli(['inventory', 'import', 'tests/fixtures/csv/invalid-rows.csv', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'tests/fixtures/csv/invalid-rows.csv:3: column kind: kind: must be one of cultural_house, info_point, commune_office, school, other (got "library")',
      "tests/fixtures/csv/invalid-rows.csv:3: column parent: parent: parent 'ubnd-nowhere' is not the id of any site",
      'tests/fixtures/csv/invalid-rows.csv:4: column id: id: "Bad Id" is not valid: stable slug: lowercase letters, digits, dashes',
      'tests/fixtures/csv/invalid-rows.csv:4: column lat: lat: must be <= 90 (got 91)',
      'tests/fixtures/csv/invalid-rows.csv:4: column snmp_community: snmp.community: is required',
      'tests/fixtures/csv/invalid-rows.csv:5: column sim_number: sim.number: "12" is not valid: SIM phone number, e.g. 0912 345 678',
      'tests/fixtures/csv/invalid-rows.csv:5: column bandwidth_down_mbps: bandwidth.down_mbps: must be a number (got "30M")',
      'tests/fixtures/csv/invalid-rows.csv:5: column power: power[0]: must be one of grid, solar, ups, generator (got "wind")',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
