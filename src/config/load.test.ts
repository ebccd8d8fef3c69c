import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { loadConfig } from './load.js';

const FIXTURES = path.resolve('tests/fixtures/config');
const EXAMPLE = path.resolve('config/pointwatch.example.yaml');

async function problemsOf(opts: Parameters<typeof loadConfig>[0]): Promise<string[]> {
  try {
    await loadConfig({ env: {}, ...opts });
  } catch (err) {
    if (err instanceof InputError) return err.problems.map((p) => p.replace(`${FIXTURES}/`, ''));
    throw err;
  }
  return [];
}

describe('example configuration', () => {
  it('loads cleanly with every site and default applied', async () => {
    const cfg = await loadConfig({ config: EXAMPLE, env: {} });
    expect(cfg.warnings).toEqual([]);
    expect(cfg.inventory.sites.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cfg.inventory.sites.map((s) => s.commune)).size).toBeGreaterThanOrEqual(8);
    expect(cfg.inventory.sites.some((s) => s.parent)).toBe(true);
    // example hosts are documentation addresses only
    for (const s of cfg.inventory.sites) expect(s.host).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
    expect(cfg.settings.poller.ping.count).toBe(5);
  });
});

describe('broken fixtures: each reports exactly its expected problems', () => {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.startsWith('invalid-'));
  it.each(files)('%s', async (file) => {
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    expect(expected.length).toBeGreaterThan(0);
    const full = path.join(FIXTURES, file);
    const got = file.includes('settings') ? await problemsOf({ config: full }) : await problemsOf({ config: EXAMPLE, inventory: full });
    expect(got).toEqual(expected);
  });
});

describe('two tiers (province -> commune, optional group)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tt-cfg-'));
  const write = (name: string, lines: string[]) => { const f = path.join(tmp, name); fs.writeFileSync(f, `${lines.join('\n')}\n`); return f; };
  const site = (id: string, place: string) => `  - { id: ${id}, name: ${id}, kind: other, province: Khánh Hòa, ${place}, host: 192.0.2.${id.length}, snmp: false }`;
  // these sites have no contacts on purpose: the runbook-contact warnings (tested in contacts.test.ts) are not what is checked here
  const placeWarnings = (ws: string[]) => ws.filter((w) => !w.includes('"not declared"'));

  it('an inventory without districts or groups loads with no warning', async () => {
    const inv = write('two-tier.yaml', ['sites:', site('a', 'commune: Bác Ái'), site('bb', 'commune: Cam Lâm')]);
    const cfg = await loadConfig({ config: EXAMPLE, inventory: inv, env: {} });
    expect(placeWarnings(cfg.warnings)).toEqual([]);
    expect(cfg.inventory.sites.map((s) => [s.commune, s.group])).toEqual([['Bác Ái', undefined], ['Cam Lâm', undefined]]);
  });

  it('an inventory from before the reform (district: on every site) still loads: one positioned warning, district read as group', async () => {
    const inv = write('old.yaml', ['sites:', site('a', 'district: Bác Ái (cũ), commune: Phước Bình'), site('bb', 'district: Bác Ái (cũ), commune: Phước Tân')]);
    const cfg = await loadConfig({ config: EXAMPLE, inventory: inv, env: {} });
    expect(placeWarnings(cfg.warnings)).toEqual([`${inv}:2:57: sites[0].district: 'district' (2 places) is read as the optional group (districts were abolished in 2025): rename it to 'group', or drop it`]);
    expect(cfg.inventory.sites.map((s) => s.group)).toEqual(['Bác Ái (cũ)', 'Bác Ái (cũ)']);
    expect(cfg.inventory.sites[0]).not.toHaveProperty('district');
  });

  it('settings from before the reform: escalation to district is read as group, with a warning', async () => {
    const settings = write('old-settings.yaml', [`inventory: ${path.resolve(EXAMPLE, '..', 'sites.example.yaml')}`, 'alerting:', '  escalation: [{ after: 30m, level: district }, { after: 2h, level: province }]']);
    const cfg = await loadConfig({ config: settings, env: {} });
    expect(cfg.settings.alerting.escalation.map((e) => e.level)).toEqual(['group', 'province']);
    expect(cfg.warnings).toEqual([`${settings}:3:30: alerting.escalation[0].level: level 'district' is read as 'group' (districts were abolished in 2025)`]);
  });

  it('the communes section: a commune described twice is a problem; a former name that is still a current commune, or an entry with no site, a warning', async () => {
    const inv = write('communes.yaml', [
      'sites:', site('a', 'commune: Bác Ái'), site('bb', 'commune: Cam Lâm'),
      'communes:',
      '  - { province: Khánh Hòa, name: Bác Ái, kind: xa, former_names: [{ name: Phước Bình, district: Bác Ái }, { name: Cam Lâm }] }',
      '  - { province: Khánh Hòa, name: Bác Ái }',
      '  - { province: Khánh Hòa, name: Trường Sa, kind: dac_khu }',
    ]);
    const err = await loadConfig({ config: EXAMPLE, inventory: inv, env: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ problems: [`${inv}:6:34: communes[1].name: commune 'Bác Ái' of Khánh Hòa is already described in communes[0]`] });
    fs.writeFileSync(inv, fs.readFileSync(inv, 'utf8').replace('  - { province: Khánh Hòa, name: Bác Ái }\n', ''));
    const cfg = await loadConfig({ config: EXAMPLE, inventory: inv, env: {} });
    expect(cfg.warnings.filter((w) => w.includes(': communes['))).toEqual([
      `${inv}:5:115: communes[0].former_names[1].name: 'Cam Lâm' is also a current commune of Khánh Hòa: records with that name land on it, not on 'Bác Ái'`,
      `${inv}:6:34: communes[1].name: no site is in commune 'Trường Sa' of Khánh Hòa`,
    ]);
  });

  it('a commune name used in two provinces needs its province in area contacts', async () => {
    const inv = write('repeat.yaml', [
      'sites:', site('a', 'commune: Tân Lập'),
      '  - { id: b, name: b, kind: other, province: Phú Thọ, commune: Tân Lập, host: 192.0.2.9, snmp: false }',
      'areas:', '  - { level: commune, name: Tân Lập, contacts: [{ name: X }] }', '  - { level: commune, name: Tân Lập, province: Phú Thọ, contacts: [{ name: Y }] }',
    ]);
    await expect(loadConfig({ config: EXAMPLE, inventory: inv, env: {} })).rejects.toMatchObject({
      problems: [`${inv}:5:29: areas[0].name: commune 'Tân Lập' is in Khánh Hòa and Phú Thọ: give its province (or write Province/Tân Lập)`],
    });
  });
});

describe('secrets and env overrides', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-cfg-'));
  const inv = path.join(tmp, 'sites.yaml');
  fs.writeFileSync(path.join(tmp, 'community.txt'), 's3cret-community\n');
  fs.writeFileSync(inv, [
    'sites:',
    '  - { id: a, name: A, kind: other, province: P, district: D, commune: C, host: 127.0.0.1, snmp: { version: 2c, community_file: community.txt } }',
    '  - { id: b, name: B, kind: other, province: P, district: D, commune: C, host: 127.0.0.2, snmp: { version: 2c, community: "${PW_COMM}" } }',
  ].join('\n'));
  it('reads *_file and ${ENV} secrets and applies POINTWATCH_* overrides', async () => {
    const cfg = await loadConfig({ config: EXAMPLE, inventory: inv, env: { PW_COMM: 'from-env', POINTWATCH_INFLUX_URL: 'http://127.0.0.1:9999', POINTWATCH_PORT: '8181', POINTWATCH_DATA_DIR: tmp } });
    const [a, b] = cfg.inventory.sites;
    expect(a?.snmp && a.snmp.version !== '3' && a.snmp.community).toBe('s3cret-community');
    expect(b?.snmp && b.snmp.version !== '3' && b.snmp.community).toBe('from-env');
    expect(cfg.settings.influx.url).toBe('http://127.0.0.1:9999');
    expect(cfg.settings.api.port).toBe(8181);
    expect(cfg.settings.data_dir).toBe(tmp);
  });
  it('names a missing secret file without showing any secret', async () => {
    fs.writeFileSync(inv, 'sites:\n  - { id: a, name: A, kind: other, province: P, district: D, commune: C, host: h, snmp: { version: 2c, community_file: nope.txt } }\n');
    const problems = await problemsOf({ config: EXAMPLE, inventory: inv });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/sites\.yaml:2:\d+: sites\[0\]\.snmp\.community_file: cannot read secret file nope\.txt: ENOENT$/);
  });
  it('POINTWATCH_INVENTORY picks the inventory', async () => {
    fs.writeFileSync(inv, 'sites: []\n');
    const cfg = await loadConfig({ config: EXAMPLE, env: { POINTWATCH_INVENTORY: inv } });
    expect(cfg.inventoryPath).toBe(inv);
    expect(cfg.inventory.sites).toEqual([]);
  });
});

describe('YAML anchors', () => {
  it('one site merged into 2,000 others (`<<: *first`) loads: the yaml default of 100 expansions would refuse it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-anchor-'));
    const inv = path.join(dir, 'sites.yaml');
    const lines = ['sites:', '  - &first { id: s0, name: S0, kind: other, province: P, district: D, commune: C, host: 127.0.0.1, snmp: { version: 2c, community: public } }'];
    for (let i = 1; i <= 2000; i++) lines.push(`  - { <<: *first, id: s${i}, name: S${i}, host: 127.0.${i >> 8}.${i & 255} }`);
    fs.writeFileSync(inv, lines.join('\n') + '\n');
    const cfg = await loadConfig({ config: EXAMPLE, inventory: inv, env: {} });
    expect(cfg.inventory.sites).toHaveLength(2001);
    expect(cfg.inventory.sites[2000]).toMatchObject({ id: 's2000', host: '127.0.7.208', commune: 'C', snmp: { version: '2c', community: 'public' } });
  });
});
