/**
 * `pointwatch probe SITE --debug` against simulated routers (v2c and v3): raw fping line, raw
 * varbinds, computed fields and rates, effective settings; no secret anywhere in the output.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { createFleet, DEFAULT_CREDS, type Fleet } from '../../../src/sim/fleet.js';
import { CLI } from '../../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const basePort = 10000 + Math.floor(Math.random() * 20000); // below the ephemeral range
let fleet: Fleet;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pwprobe-cli-'));
  fleet = await createFleet({ sites: 5, basePort, loopbackBlock: 26, netns: 'off', logger: silentLogger() });
  await fleet.writeInventory(path.join(dir, 'sites.yaml'));
});
afterAll(async () => {
  await fleet?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Async spawn: the fleet lives in this process and must keep answering. */
function probe(site: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [...CLI, 'probe', site, '--debug', '--gap', '1', '--inventory', path.join(dir, 'sites.yaml')], {
    cwd: ROOT, env: { ...process.env, POINTWATCH_LOG_LEVEL: 'warn' },
  });
  const r = { code: null as number | null, out: '', err: '' };
  child.stdout.on('data', (d: Buffer) => { r.out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { r.err += d.toString(); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ ...r, code })));
}

describe('pointwatch probe --debug', () => {
  const secrets = [DEFAULT_CREDS.community, DEFAULT_CREDS.v3.auth_key, DEFAULT_CREDS.v3.priv_key];

  for (const [site, label] of [['sim-0002', 'v2c'], ['sim-0005', 'v3 authPriv']] as const) {
    it(`${label}: raw fping line, raw varbinds, computed rates, redacted settings`, async () => {
      const r = await probe(site);
      expect(r.code, r.err).toBe(0);
      for (const heading of ['## effective settings (poller)', '## site', '## raw fping line', '## ping', '## raw varbinds', '## snmp (computed)']) {
        expect(r.out).toContain(heading);
      }
      expect(r.out).toMatch(new RegExp(`\\n127\\.26\\.0\\.${Number(site.slice(-1))} : [\\d.]+ [\\d.]+`));
      expect(r.out).toContain(`1.3.6.1.2.1.1.5.0 = OctetString: "${site}"`);
      expect(r.out).toMatch(/1\.3\.6\.1\.2\.1\.31\.1\.1\.1\.6\.1 = Counter64: \d+/);
      expect(r.out).toContain('"[redacted]"');
      const computed = JSON.parse(r.out.slice(r.out.indexOf('{', r.out.indexOf('## snmp (computed)'))));
      expect(computed.status).toBe('ok');
      const wan = computed.rates.find((x: { name: string }) => x.name === computed.wan.name);
      expect(wan.in_bps).toBeGreaterThan(0);
      expect(wan.in_bps).toBeLessThanOrEqual(wan.speed_bps);
      for (const s of secrets) {
        expect(r.out).not.toContain(s);
        expect(r.err).not.toContain(s);
      }
    }, 40_000);
  }
});
