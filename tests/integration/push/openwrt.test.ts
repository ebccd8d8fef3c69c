/**
 * Push reports end to end, against real components: the OpenWrt reporter
 * (contrib/openwrt/pointwatch-report.sh) runs under busybox ash (PATH holds only busybox applets
 * and openssl) inside a network namespace and reports over a veth pair, by real HTTP, to the
 * service wired by src/main.ts exactly as `pointwatch run` wires it, writing to a real influxd and
 * notifying a real webhook receiver. Tokens come from the real CLI (`pointwatch site token`).
 *
 * Proves: the rate the server computes from the script's /proc/net/dev counters matches a burst of
 * known size sent over the veth; a revoked token is refused; hostile reports are 4xx with nothing
 * written to influxd and never a 5xx; silence makes DOWN with a webhook notice and a report resolves
 * it (link cut; a smaller uptime: power cut); a child whose parent is DOWN is UNREACHABLE and quiet;
 * no token ever reaches a log line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/core/logger.js';
import { startService, type Service } from '../../../src/main.js';
import { sign } from '../../../src/push/signature.js';
import { PushTokenStore } from '../../../src/push/tokens.js';
import { signingKey } from '../../../src/push/signature.js';
import { responseContractProblems } from '../../../src/api/route-contract.js';
import { runCli } from '../../helpers/cli.js';
import { startInfluxd, type Influxd } from '../../helpers/influxd.js';
import { freeTcpPort } from '../../helpers/ports.js';
import { startWebhook, type WebhookReceiver } from '../../helpers/webhook.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCRIPT = path.join(ROOT, 'contrib/openwrt/pointwatch-report.sh');
const N = process.pid % 10000;
const NS = `pu-router-${N}`;
const VETH_HOST = `pu${N}h`;
const VETH_ROUTER = `pu${N}r`;
const NET = 200 + (process.pid % 50);
const HOST_IP = `10.251.${NET}.1`;
const ROUTER_IP = `10.251.${NET}.2`;
const PARENT = 'pu-commune';
const CHILD = 'pu-village';
const DB = 'pupush';

interface Hook { event: string; kind: string; site: { id: string } | null; cause?: string; detail: string; state: string }

let dir = '';
let bin = '';
let influxd: Influxd;
let svc: Service;
let hook: WebhookReceiver<Hook>;
const logs: string[] = [];
const tokens: string[] = [];
let childToken = '';
let parentKey = '';
let parentUptime = 50_000;
let parentTimer: NodeJS.Timeout | null = null;
let loop: ChildProcess | null = null;

const sh = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const states = () => `states ${JSON.stringify([...svc.engine.states()])}`;
async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; ${states()}; notices ${JSON.stringify(hook.bodies.map((h) => [h.event, h.kind, h.site?.id, h.detail]))}`);
    await sleep(200);
  }
}

async function influx(q: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${influxd.url}/query?db=${DB}&epoch=ms&q=${encodeURIComponent(q)}`);
  const j = (await res.json()) as { results: Array<{ series?: Array<{ columns: string[]; values: unknown[][] }> }> };
  const s = j.results[0]?.series?.[0];
  return s ? s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))) : [];
}
/** Points a REPORT of the site wrote (a silent deadline writes push received=0 and site_state: not counted). */
async function pointCount(site: string): Promise<number> {
  let n = 0;
  for (const m of ['push', 'interface', 'lte']) {
    const r = await influx(`SELECT count(*) FROM "${m}" WHERE site = '${site}'${m === 'push' ? ' AND received = 1' : ''}`);
    const row = r[0] ?? {};
    n += Math.max(0, ...Object.entries(row).filter(([k]) => k.startsWith('count_')).map(([, v]) => Number(v)));
  }
  return n;
}

/** The OpenWrt script under busybox ash in the namespace, once. */
function runScript(token: string, extra: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawnScript(token, { POINTWATCH_ONCE: '1', ...extra });
    let stderr = '';
    p.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stderr }));
  });
}
function spawnScript(token: string, extra: Record<string, string>): ChildProcess {
  const env = {
    PATH: bin, POINTWATCH_URL: `http://${HOST_IP}:${new URL(svc.url!).port}`, POINTWATCH_SITE: CHILD, POINTWATCH_TOKEN: token,
    POINTWATCH_WAN: VETH_ROUTER, POINTWATCH_STATE: path.join(dir, 'report.state'), TMPDIR: dir,
    POINTWATCH_LTE_CMD: `printf 'rsrp_dbm=-97\\nrsrq_db=-11\\nsinr_db=6.5\\noperator=Viettel\\nband=B3\\n'`,
    ...extra,
  };
  return spawn('ip', ['netns', 'exec', NS, '/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), '/usr/bin/busybox', 'ash', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A signed report for the parent, as a router would send it (the JS signer, not the script). */
async function postParent(body: string, opts: { ts?: number; key?: string; site?: string; sig?: string; headers?: Record<string, string> } = {}) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const res = await fetch(`${svc.url}/api/v1/push/${opts.site ?? PARENT}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pointwatch-timestamp': ts, 'x-pointwatch-signature': opts.sig ?? sign(opts.key ?? parentKey, ts, body), ...opts.headers },
    body,
  });
  return { status: res.status, json: (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null };
}
const parentBody = (uptime: number) => JSON.stringify({ v: 1, uptime_s: uptime, interfaces: [{ name: 'wwan0', rx_bytes: String(uptime * 1000), tx_bytes: '5' }] });
let lastParentTs = 0;
async function parentReport(uptime = (parentUptime += 3)) {
  // one report per second, never before the newest second the hostile test burnt
  const ts = Math.max(Math.floor(Date.now() / 1000), lastParentTs + 1);
  lastParentTs = ts;
  if (ts * 1000 > Date.now()) await sleep(ts * 1000 - Date.now() + 10);
  return postParent(parentBody(uptime), { ts });
}
function parentReporting(on: boolean) {
  if (parentTimer) clearInterval(parentTimer);
  parentTimer = on ? setInterval(() => void parentReport().catch(() => undefined), 3000) : null;
}

beforeAll(async () => {
  expect(process.getuid?.(), 'network namespaces need root').toBe(0);
  for (const cmd of ['/usr/bin/busybox', '/usr/bin/openssl']) expect(fs.existsSync(cmd), `${cmd} missing (scripts/setup.sh installs it)`).toBe(true);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pu-push-'));
  // a PATH of busybox applets and openssl only, as on an OpenWrt router (no curl, no bash)
  bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  sh('/usr/bin/busybox', ['--install', '-s', bin]);
  fs.symlinkSync('/usr/bin/openssl', path.join(bin, 'openssl'));
  for (const f of ['logger', 'curl', 'uclient-fetch']) fs.rmSync(path.join(bin, f), { force: true }); // stderr, and the wget path

  spawnSync('ip', ['netns', 'del', NS]);
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_ROUTER]);
  sh('ip', ['link', 'set', VETH_ROUTER, 'netns', NS]);
  sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', VETH_HOST]);
  sh('ip', ['link', 'set', VETH_HOST, 'up']);
  sh('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', `${ROUTER_IP}/30`, 'dev', VETH_ROUTER]);
  sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', VETH_ROUTER, 'up']);
  sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);

  influxd = await startInfluxd();
  hook = await startWebhook<Hook>();
  const apiPort = await freeTcpPort();
  const site = (id: string, name: string, extra: string) => `  - id: ${id}\n    name: ${name}\n    kind: cultural_house\n    province: Lào Cai\n    group: Sa Pa\n    commune: Tả Van\n    uplink: 4g\n    push: { interval_s: 5 }\n${extra}`;
  fs.writeFileSync(path.join(dir, 'sites.yaml'), `sites:\n${site(PARENT, 'UBND xã Tả Van (4G)', '')}${site(CHILD, 'Nhà văn hoá thôn (OpenWrt)', `    parent: ${PARENT}\n`)}`);
  const settingsPath = path.join(dir, 'pointwatch.yaml');
  fs.writeFileSync(settingsPath, [
    `data_dir: ${dir}/data`,
    'inventory: sites.yaml',
    `runbooks_dir: ${ROOT}/config/runbooks`,
    'log_level: debug',
    `influx: { url: "${influxd.url}", database: ${DB}, flush_interval_ms: 200 }`,
    'push: { late_factor: 2, silence_check_s: 1, reports_per_interval: 4, max_body_bytes: 16384 }',
    `notifiers: [{ type: webhook, name: hook, url: "${hook.url}/pw", secret: pu-webhook-secret-1234 }]`,
    `api: { host: ${HOST_IP}, port: ${apiPort}, public_url: "http://${HOST_IP}:${apiPort}" }`,
    '',
  ].join('\n'));
  const loaded = await loadConfig({ config: settingsPath });
  svc = await startService({
    loaded,
    schedule: false,
    logger: createLogger({ level: 'debug', destination: { write: (s: string) => void logs.push(s) } }),
  });
  // the parent's token straight from the store; the child's from the real CLI (below)
  const parentToken = new PushTokenStore(svc.db).issue(PARENT);
  tokens.push(parentToken);
  parentKey = signingKey(parentToken);
  expect((await parentReport()).status).toBe(202);
  parentReporting(true);
}, 120_000);

afterAll(async () => {
  parentReporting(false);
  loop?.kill('SIGKILL');
  await svc?.stop();
  await influxd?.destroy();
  await hook?.close();
  spawnSync('ip', ['netns', 'del', NS]);
  spawnSync('ip', ['link', 'del', VETH_HOST]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('push: the OpenWrt reporter under busybox in a namespace, against the real service', () => {
  it('`pointwatch site token` prints a token once; a new one revokes the old (the script is refused with it)', async () => {
    const cfg = path.join(dir, 'pointwatch.yaml');
    const first = runCli(['site', 'token', CHILD, '-c', cfg]);
    expect(first.code, first.stderr).toBe(0);
    const second = runCli(['site', 'token', CHILD, '-c', cfg]);
    expect(second.code, second.stderr).toBe(0);
    const old = first.stdout.trim();
    childToken = second.stdout.trim();
    tokens.push(old, childToken);
    expect(childToken).toMatch(/^pwp_[A-Za-z0-9_-]{32}$/);
    expect(childToken).not.toBe(old);
    const refused = await runScript(old);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/report refused or not delivered/);
    const ok = await runScript(childToken);
    expect(ok.code, ok.stderr).toBe(0);
    // the CLI refuses sites that are not push sites
    const bad = runCli(['site', 'token', 'no-such-site', '-c', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no site "no-such-site"/);
  }, 60_000);

  it('the rate computed from the script\'s counters matches a burst of known size sent over the veth', async () => {
    expect((await runScript(childToken)).code).toBe(0);
    await sleep(1200);
    // 5,000 UDP datagrams of 1,400 bytes to the router: 1,442 bytes each on the wire (Ethernet 14 + IP 20 + UDP 8)
    const sock = dgram.createSocket('udp4');
    const payload = Buffer.alloc(1400, 7);
    for (let i = 0; i < 5000; i++) {
      await new Promise<void>((r, j) => sock.send(payload, 9, ROUTER_IP, (e) => (e ? j(e) : r())));
      if (i % 50 === 49) await sleep(2); // never overrun the veth backlog
    }
    sock.close();
    const sent = 5000 * 1442;
    await sleep(1200);
    expect((await runScript(childToken)).code).toBe(0);
    await sleep(800); // writer flush
    const pushes = await influx(`SELECT received, uptime_s FROM push WHERE site = '${CHILD}' ORDER BY time DESC LIMIT 2`);
    expect(pushes).toHaveLength(2);
    const elapsed_s = (Number(pushes[0]!.time) - Number(pushes[1]!.time)) / 1000;
    const [iface] = await influx(`SELECT in_bps, out_bps, oper_up, speed_bps FROM interface WHERE site = '${CHILD}' AND ifname = '${VETH_ROUTER}' AND wan = 'true' ORDER BY time DESC LIMIT 1`);
    const received = (Number(iface!.in_bps) * elapsed_s) / 8;
    process.stdout.write(`PUSH rate: sent ${sent} bytes over the veth; the server computed ${Math.round(received)} bytes (${Number(iface!.in_bps).toFixed(0)} bit/s over ${elapsed_s.toFixed(2)} s)\n`);
    expect(received / sent).toBeGreaterThan(0.995);
    expect(received / sent).toBeLessThan(1.01); // + the HTTP answer to the first report, ARP
    expect(iface!.oper_up).toBe(1);
    // the rest of the report, in the same measurements as polled sites plus push and lte
    expect(Math.abs(Number(pushes[0]!.uptime_s) - Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]))).toBeLessThan(10);
    const [lte] = await influx(`SELECT rsrp_dbm, sinr_db, operator, band FROM lte WHERE site = '${CHILD}' ORDER BY time DESC LIMIT 1`);
    expect(lte).toMatchObject({ rsrp_dbm: -97, sinr_db: 6.5, operator: 'Viettel', band: 'B3' });
    const [state] = await influx(`SELECT state, checked_s FROM site_state WHERE site = '${CHILD}' ORDER BY time DESC LIMIT 1`);
    expect(state).toMatchObject({ state: 'UP', checked_s: 5 });
  }, 60_000);

  it('LTE from uqmi (a QMI modem) and the quota command: the script reads them into the report', async () => {
    // a stand-in uqmi printing what uqmi -s prints for --get-signal-info and --get-serving-system
    const fake = path.join(dir, 'fakebin');
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(path.join(fake, 'uqmi'), [
      '#!/bin/sh',
      'case "$*" in',
      '  *--get-signal-info*) echo \'{"type":"lte","rssi":-67,"rsrq":-9,"rsrp":-118,"snr":-2.5}\' ;;',
      '  *--get-serving-system*) echo \'{"registration":"registered","plmn_mcc":452,"plmn_mnc":4,"plmn_description":"Viettel","roaming":false}\' ;;',
      'esac',
      '',
    ].join('\n'), { mode: 0o755 });
    const qmiDev = path.join(dir, 'cdc-wdm0');
    fs.writeFileSync(qmiDev, '');
    const r = await runScript(childToken, { PATH: `${bin}:${fake}`, POINTWATCH_LTE_CMD: '', POINTWATCH_QMI_DEVICE: qmiDev, POINTWATCH_QUOTA_CMD: 'echo exhausted' });
    expect(r.code, r.stderr).toBe(0);
    await sleep(800);
    const [lte] = await influx(`SELECT rsrp_dbm, rsrq_db, sinr_db, rssi_dbm, operator FROM lte WHERE site = '${CHILD}' ORDER BY time DESC LIMIT 1`);
    expect(lte).toMatchObject({ rsrp_dbm: -118, rsrq_db: -9, sinr_db: -2.5, rssi_dbm: -67, operator: 'Viettel' });
    const [p] = await influx(`SELECT quota_exhausted, data_used_bytes FROM push WHERE site = '${CHILD}' ORDER BY time DESC LIMIT 1`);
    expect(p!.quota_exhausted).toBe(1);
    expect(Number(p!.data_used_bytes)).toBeGreaterThan(0); // the WAN counters moved since the last report
  }, 30_000);

  it('hostile reports: each a clear 4xx, never a 5xx, and nothing written to influxd', async () => {
    await sleep(500);
    const before = { child: await pointCount(CHILD), parent: await pointCount(PARENT) };
    parentReporting(false);
    try {
      await hostile(before);
    } finally {
      parentReporting(true);
    }
  }, 60_000);

  async function hostile(before: { child: number; parent: number }) {
    await sleep(300);
    const childKey = signingKey(childToken);
    const now = Math.floor(Date.now() / 1000);
    let next = now; // each admitted signed request burns its second: one each
    const ts = () => ++next;
    const good = parentBody(1);
    const results: Array<{ name: string; status: number; code?: string }> = [];
    const t = async (name: string, p: Promise<{ status: number; json: { error?: { code: string } } | null }>) => {
      const r = await p;
      results.push({ name, status: r.status, code: r.json?.error?.code });
    };
    await t('bad signature', postParent(good, { key: signingKey('pwp_guessed'), ts: now }));
    await t('another site\'s token (child key, parent URL)', postParent(good, { key: childKey, ts: now }));
    await t('the body names another site', postParent(JSON.stringify({ ...JSON.parse(good), site: CHILD }), { ts: ts() }));
    await t('unknown site', postParent(good, { site: 'pu-nowhere', ts: now }));
    await t('site id with a path', fetch(`${svc.url}/api/v1/push/..%2Fpu-commune`, { method: 'POST', body: good }).then(async (r) => ({ status: r.status, json: (await r.json()) as { error?: { code: string } } })));
    await t('garbage (signed)', postParent('\u0000\u00ff{{{ not json', { ts: ts() }));
    await t('JSON but not a report (signed)', postParent('{"v":1,"uptime_s":"soon","interfaces":[]}', { ts: ts() }));
    await t('huge body', postParent(JSON.stringify({ v: 1, uptime_s: 1, interfaces: [], pad: 'x'.repeat(100_000) }), { ts: now }));
    await t('stale timestamp', postParent(good, { ts: now - 3600 }));
    await t('timestamp in the future', postParent(good, { ts: now + 3600 }));
    await t('no timestamp', postParent(good, { headers: { 'x-pointwatch-timestamp': '' } }));
    await t('no signature', postParent(good, { sig: '' }));
    await t('signature not hex', postParent(good, { sig: 'sha256=zz' }));
    await t('unknown query parameter', fetch(`${svc.url}/api/v1/push/${PARENT}?debug=1`, { method: 'POST', body: good }).then(async (r) => ({ status: r.status, json: (await r.json()) as { error?: { code: string } } })));
    // a captured good report replayed: accepted once (it writes), then refused. The signed refusals
    // above each took one report from the site's budget (4 per 5 s interval): let it refill first
    await sleep(5_500);
    const replayTs = Math.max(ts(), Math.floor(Date.now() / 1000));
    next = replayTs;
    const first = await postParent(parentBody(parentUptime += 3), { ts: replayTs });
    expect(first.status).toBe(202);
    await sleep(800); // writer flush
    const afterOne = await pointCount(PARENT);
    await t('replay of an accepted report', postParent(parentBody(parentUptime), { ts: replayTs }));
    await t('an older timestamp than the last accepted', postParent(parentBody(parentUptime), { ts: replayTs - 1 }));
    for (const r of results) process.stdout.write(`PUSH hostile: ${r.name} -> ${r.status} ${r.code ?? ''}\n`);
    const want: Record<string, [number, string]> = {
      'bad signature': [401, 'bad_signature'],
      'another site\'s token (child key, parent URL)': [401, 'bad_signature'],
      'the body names another site': [400, 'site_mismatch'],
      'unknown site': [401, 'unauthorized'],
      'site id with a path': [400, 'bad_request'],
      'garbage (signed)': [400, 'bad_json'],
      'JSON but not a report (signed)': [400, 'bad_report'],
      'huge body': [413, 'payload_too_large'],
      'stale timestamp': [401, 'stale'],
      'timestamp in the future': [401, 'stale'],
      'no timestamp': [400, 'bad_timestamp'],
      'no signature': [401, 'unauthorized'],
      'signature not hex': [401, 'unauthorized'],
      'unknown query parameter': [400, 'bad_request'],
      'replay of an accepted report': [409, 'replay'],
      'an older timestamp than the last accepted': [409, 'replay'],
    };
    expect(Object.fromEntries(results.map((r) => [r.name, [r.status, r.code]]))).toEqual(want);
    await sleep(1000);
    expect(await pointCount(CHILD)).toBe(before.child);
    expect(await pointCount(PARENT)).toBe(afterOne);
    // the signed-but-broken ones were refused before anything was stored, the accepted one wrote
    expect(afterOne).toBeGreaterThan(before.parent);

    // rate limit: a burst over reports_per_interval (4 per 5 s) is 429 with Retry-After
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await postParent(parentBody(parentUptime += 1), { ts: ts() })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 202 || s === 429)).toBe(true);
    lastParentTs = next; // the parent's next reports go after the last timestamp this test burnt
  }

  it('silence → DOWN with a webhook notice; the report that comes back resolves it (link cut: uptime went on)', async () => {
    loop = spawnScript(childToken, { POINTWATCH_INTERVAL: '2' });
    // the parent UP too (the hostile test burnt its timestamps up to ~30 s ahead), or the village would be UNREACHABLE
    await until('both UP', () => svc.engine.states().get(CHILD)?.state === 'UP' && svc.engine.states().get(PARENT)?.state === 'UP', 60_000);
    await sleep(2500);
    hook.clear();
    loop.kill('SIGKILL');
    loop = null;
    const t0 = Date.now();
    const down = await hook.waitFor('a DOWN notice for the village', (h) => h.event === 'firing' && h.site?.id === CHILD, 20_000, states);
    process.stdout.write(`PUSH silence: DOWN notice ${((Date.now() - t0) / 1000).toFixed(1)} s after the reporter was killed (interval 5 s × late_factor 2): ${down.detail}\n`);
    expect(down).toMatchObject({ kind: 'site-down', state: 'DOWN' });
    expect(Number(/no push report for (\d+) s/.exec(down.detail)![1])).toBeLessThanOrEqual(13); // deadline 10 s, looked for every 1 s
    expect(down.detail).toMatch(/no push report for \d+ s \(every 5 s expected\)/);
    expect((await runScript(childToken)).code).toBe(0);
    const resolved = await hook.waitFor('a resolved notice', (h) => h.event === 'resolved' && h.site?.id === CHILD, 10_000, states);
    expect(resolved).toMatchObject({ kind: 'site-down', cause: 'link' });
    expect(svc.engine.states().get(CHILD)?.state).toBe('UP');
  }, 60_000);

  it('parent silent: the parent is DOWN, the child behind it UNREACHABLE and quiet; the parent back with a smaller uptime: power cut', async () => {
    loop = spawnScript(childToken, { POINTWATCH_INTERVAL: '2' });
    await until('both UP', () => svc.engine.states().get(CHILD)?.state === 'UP' && svc.engine.states().get(PARENT)?.state === 'UP');
    hook.clear();
    parentReporting(false);
    await until('the parent DOWN', () => svc.engine.states().get(PARENT)?.state === 'DOWN', 20_000);
    loop.kill('SIGKILL');
    loop = null;
    await until('the child UNREACHABLE', () => svc.engine.states().get(CHILD)?.state === 'UNREACHABLE', 20_000);
    await sleep(2000);
    expect(hook.bodies.filter((h) => h.site?.id === CHILD)).toEqual([]);
    expect(hook.bodies.some((h) => h.event === 'firing' && h.site?.id === PARENT)).toBe(true);
    // the commune office comes back after a power cut: uptime 40 s
    expect((await parentReport(40)).status).toBe(202);
    const back = await hook.waitFor('the parent resolved', (h) => h.event === 'resolved' && h.site?.id === PARENT, 10_000, states);
    expect(back.cause).toBe('power');
    // the child, still silent, is now judged on its own: DOWN with its own notice
    await hook.waitFor('the child DOWN on its own', (h) => h.event === 'firing' && h.site?.id === CHILD, 15_000, states);
  }, 90_000);

  it('the push route declares its answers (the response contract every API route keeps)', () => {
    expect(svc.app.pw.routes.some((r) => r.url === '/api/v1/push/:site')).toBe(true);
    expect(responseContractProblems(svc.app.pw.routes)).toEqual([]);
  });

  it('no token ever reached a log line (debug level, refusals included)', () => {
    expect(logs.length).toBeGreaterThan(10);
    const all = logs.join('');
    for (const tok of tokens) {
      expect(all.includes(tok)).toBe(false);
      expect(all.includes(signingKey(tok))).toBe(false);
    }
    expect(all).toMatch(/push report refused/);
  });
});
