/**
 * `pointwatch demo`: everything on one machine, nothing to configure. A local InfluxDB, a simulated
 * fleet standing in for the example province (same names, communes and parents; hosts and SNMP
 * endpoints from the simulator, on loopback and in its own network namespace), the real poller,
 * alerting and web UI, and a local webhook receiver that prints each notification as it arrives.
 * A scripted scenario injects faults a province really sees.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { inventoryOnFleet } from '../sim/example.js';
import { intOption } from './options.js';
import { stopOnSignals } from './run.js';

/** The faults the demo injects, on example site ids: [seconds after start, site, fault or null]. */
export const DEMO_SCENARIO: Array<[number, string, string | null, string]> = [
  [0, 'nvh-y-ty-sin-chai', 'down', 'cultural house Sín Chải (Y Tý) loses power'],
  [0, 'nvh-ban-ho-ban-den', 'lossy:0.3', 'cultural house Bản Dền on a 30 % loss 3G link (must NOT alert)'],
  [0, 'nvh-a-mu-sung-phin-ho', 'slow:8000', 'router at Phìn Hồ answers SNMP too slowly'],
  [0, 'nvh-can-cau-lu-di-san', 'flapping:45', 'Lù Dì Sán (Si Ma Cai, former Cán Cấu) link flaps every 45 s'],
  [60, 'ubnd-ta-van', 'down', 'commune office Tả Van goes dark: its info point becomes UNREACHABLE (one incident)'],
  [90, 'nvh-trung-chai-sin-chai', 'reboot', 'Sín Chải (Tả Phìn, former Trung Chải) router reboots after a power blip'],
  [240, 'ubnd-ta-van', null, 'Tả Van comes back'],
];

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run the demo: local InfluxDB + a simulated province fleet + poller + alerts + web UI (Ctrl-C stops and cleans up).')
    .option('--port <port>', 'web UI port (env POINTWATCH_PORT)', intOption('--port'))
    .option('--dir <dir>', 'demo data folder', '.data/demo')
    .action(async (opts: { port?: number; dir: string }) => {
      const [{ startInfluxd }, { createFleet }, { parseFault }, { loadConfig }, { startService }, { openDatabase }, { AuthStore }, { migrate }, { API_MIGRATIONS }] = await Promise.all([
        import('../store/local-influxd.js'), import('../sim/fleet.js'), import('../sim/faults.js'), import('../config/load.js'),
        import('../main.js'), import('../store/sqlite.js'), import('../api/auth/store.js'), import('../store/sqlite.js'), import('../api/auth/store.js'),
      ]);
      const dir = path.resolve(opts.dir);
      fs.mkdirSync(dir, { recursive: true });
      const say = (s: string) => process.stderr.write(`demo: ${s}\n`);
      const cleanups: Array<() => Promise<void>> = [];
      const cleanup = async () => { for (const c of cleanups.reverse()) await c().catch(() => {}); };
      try {
        say('starting InfluxDB (Debian influxd) on loopback...');
        const influxd = await startInfluxd({ dir: path.join(dir, 'influxd'), cqRunInterval: '10s' });
        cleanups.push(() => influxd.stop());
        say(`InfluxDB at ${influxd.url}`);

        // Notifications land here and are printed: what a commune's webhook consumer would see.
        const hookSecret = crypto.randomBytes(16).toString('hex');
        const hook = http.createServer((req, res) => {
          let body = '';
          req.on('data', (c) => (body += c));
          req.on('end', () => {
            res.writeHead(200).end('ok');
            try {
              const n = JSON.parse(body) as { event: string; kind: string; level?: string; site?: { name: string } | null; area?: { commune: string }; detail?: string; state?: string };
              // one notice per level that heard of the incident (commune, then each escalation level)
              say(`NOTIFICATION ${n.event} ${n.kind} → ${n.level ?? '?'}: ${n.site?.name ?? `xã ${n.area?.commune}`} ${n.state ?? ''} (${n.detail ?? ''})`);
            } catch { say('NOTIFICATION (unparsed)'); }
          });
        });
        await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
        cleanups.push(() => new Promise((r) => hook.close(() => r())));
        const hookPort = (hook.address() as { port: number }).port;

        // The example province, with hosts from the simulator.
        const example = await loadConfig({ config: 'config/pointwatch.example.yaml', env: {} });
        const ids = example.inventory.sites.map((s) => s.id);
        const simId = (i: number) => `sim-${String(i + 1).padStart(4, '0')}`;
        const netFaultSites = DEMO_SCENARIO.filter(([, , f]) => f && /^(down|lossy|flapping)/.test(f)).map(([, id]) => simId(ids.indexOf(id)));
        say(`starting the simulated fleet (${ids.length} routers on net-snmp agents)...`);
        // Below the ephemeral range (32768+), where client sockets bound to 0.0.0.0 would collide.
        const fleet = await createFleet({ sites: ids.length, basePort: 12000 + Math.floor(Math.random() * 18000), loopbackBlock: 77, netnsSites: netFaultSites });
        cleanups.push(() => fleet.close());
        if (!fleet.netns.active) say(`note: ${fleet.netns.reason}`);
        const onFleet = inventoryOnFleet(example.inventory, fleet.sites);
        fs.writeFileSync(path.join(dir, 'sites.yaml'), `# written by pointwatch demo: the example province on simulated routers\n${stringify(onFleet, { lineWidth: 0 })}`);

        const port = opts.port ?? Number(process.env.POINTWATCH_PORT ?? 8080);
        const settingsFile = path.join(dir, 'pointwatch.yaml');
        fs.writeFileSync(settingsFile, `# written by pointwatch demo\n${stringify({
          inventory: 'sites.yaml',
          runbooks_dir: path.resolve('config/runbooks'),
          data_dir: path.join(dir, 'data'),
          log_level: 'warn',
          influx: { url: influxd.url, database: 'pointwatch', flush_interval_ms: 1000 },
          poller: { ping: { interval_s: 10, count: 5 }, snmp: { system_interval_s: 20, interfaces_interval_s: 20, timeout_ms: 1000, retries: 1 }, recheck: { delay_s: 2 } },
          notifiers: [{ type: 'webhook', name: 'demo-webhook', url: `http://127.0.0.1:${hookPort}/pointwatch`, secret: hookSecret }],
          api: { host: '127.0.0.1', port, public_url: `http://127.0.0.1:${port}` },
        })}`);

        // Demo users (passwords printed once; they live in the demo's own SQLite file).
        const db = openDatabase(path.join(dir, 'data', 'pointwatch.sqlite'));
        migrate(db, 'api', API_MIGRATIONS);
        const store = new AuthStore(db);
        const pw = crypto.randomBytes(6).toString('base64url');
        const users: Array<[string, 'admin' | 'operator' | 'trainee' | 'reviewer', Array<{ level: 'commune' | 'group' | 'province'; name: string }>]> = [
          ['admin', 'admin', []], ['tavan', 'operator', [{ level: 'commune', name: 'Tả Van' }]],
          ['trainee', 'trainee', [{ level: 'commune', name: 'Tả Van' }, { level: 'commune', name: 'Bản Hồ' }]], ['reviewer', 'reviewer', [{ level: 'province', name: 'Lào Cai' }]],
        ];
        for (const [name, role, scope] of users) {
          if (store.findUser(name)) await store.setPassword(name, pw);
          else await store.addUser(name, role, scope as never, pw);
        }
        db.close();

        const loaded = await loadConfig({ config: settingsFile });
        const svc = await startService({ loaded });
        cleanups.push(() => svc.stop());

        const timers: NodeJS.Timeout[] = [];
        for (const [at, id, fault, what] of DEMO_SCENARIO) {
          const i = ids.indexOf(id);
          if (i < 0) continue;
          timers.push(setTimeout(() => {
            say(`scenario +${at}s: ${what}`);
            fleet.setFault(simId(i), fault ? parseFault(fault) : null).catch((e) => say(`fault failed: ${String(e)}`));
          }, at * 1000));
        }
        cleanups.push(async () => timers.forEach(clearTimeout));

        say(`web UI: ${svc.url}  (users admin, tavan, trainee, reviewer; password: ${pw})`);
        say(`API docs: ${svc.url}/docs   metrics: ${svc.url}/metrics   Ctrl-C to stop`);
        stopOnSignals(cleanup, () => say('stopped, cleaned up'));
      } catch (err) {
        await cleanup();
        throw err;
      }
    });
}
