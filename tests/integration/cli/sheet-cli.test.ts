/** `pointwatch sheet` writes the printable commune sheet of the example inventory (issue 18 item 5). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { runCli } from '../../helpers/cli.js';

describe('pointwatch sheet', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfsheetcli-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('writes one commune of the example inventory with every point and its field details, never a community', async () => {
    const { inventory } = await loadConfig({ config: 'config/pointwatch.example.yaml', env: {} });
    const commune = 'Tả Van';
    const sites = inventory.sites.filter((s) => s.commune === commune);
    expect(sites.length).toBeGreaterThanOrEqual(3);
    const out = path.join(tmp, 'ta-van.html');
    const r = runCli(['sheet', '--commune', commune, '--lang', 'en', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`sheet: wrote ${out} (${sites.length} points of ${commune}, Lào Cai)`);
    const page = fs.readFileSync(out, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('@page{size:A4');
    for (const s of sites) {
      expect(page).toContain(`id="site-${s.id}"`);
      expect(page).toContain(s.host);
      if (s.sim) expect(page).toContain(s.sim.number);
      if (s.isp?.account) expect(page).toContain(s.isp.account);
      if (s.router?.serial) expect(page).toContain(s.router.serial);
      if (s.key_holder) expect(page).toContain(s.key_holder.name);
      if (s.snmp && s.snmp.version !== '3') expect(page).not.toContain(`>${s.snmp.community}<`);
    }
    expect(sites.some((s) => s.sim || s.isp || s.key_holder)).toBe(true);
  });

  it('a commune name used in two provinces needs --province', () => {
    const inv = path.join(tmp, 'two.yaml');
    const site = (id: string, province: string, host: string) => `  - { id: ${id}, name: Nhà văn hóa ${id}, kind: cultural_house, province: ${province}, commune: Tân Lập, host: ${host}, snmp: false }`;
    fs.writeFileSync(inv, ['sites:', site('a', 'Phú Thọ', '192.0.2.1'), site('b', 'Thái Nguyên', '192.0.2.2')].join('\n') + '\n');
    const r = runCli(['sheet', '--inventory', inv, '--commune', 'Tân Lập']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--commune "Tân Lập" is in 2 provinces (Phú Thọ, Thái Nguyên): add --province');
    const ok = runCli(['sheet', '--inventory', inv, '--commune', 'Tân Lập', '--province', 'Thái Nguyên', '--lang', 'vi']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Điểm Wi-Fi và liên hệ: Tân Lập, Thái Nguyên');
    expect(ok.stdout).toContain('Nhà văn hóa b');
    expect(ok.stdout).not.toContain('Nhà văn hóa a');
  });

  const bad = [
    { name: 'a commune spelled without its marks', args: ['--commune', 'Ta Van'], msg: '--commune "Ta Van": no site in the inventory is in this commune (did you mean "Tả Van"?)' },
    { name: 'a province that has no such commune', args: ['--commune', 'Tả Van', '--province', 'Khánh Hòa'], msg: '--province "Khánh Hòa": no site in the inventory is in this province' },
    { name: 'an --out folder that does not exist', args: ['--commune', 'Tả Van', '--out', '/nonexistent-tf/x.html'], msg: '--out /nonexistent-tf/x.html: folder /nonexistent-tf does not exist' },
  ];
  it.each(bad)('$name is bad input (exit 2), named', ({ args, msg }) => {
    const r = runCli(['sheet', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(msg);
  });
});
