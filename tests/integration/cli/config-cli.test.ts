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
    expect(r.stdout).toMatch(/43 sites in 8 communes, 3 districts/);
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
      'tests/fixtures/csv/invalid-rows.csv:4: column id: id: "Bad Id" is not valid: stable slug: lowercase letters, digits, dashes',
      'tests/fixtures/csv/invalid-rows.csv:4: column lat: lat: must be <= 90 (got 91)',
      'tests/fixtures/csv/invalid-rows.csv:4: column snmp_community: snmp.community: is required',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
