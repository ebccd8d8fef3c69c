/**
 * `pointwatch simulate [--sites N | --example [sites.yaml]] [--base-port P] [--faults SPEC] [--out sites.yaml]`: run a
 * simulated fleet of village routers (net-snmp agents on 127.20.x.y, faulty ones in a network
 * namespace when root) until SIGINT/SIGTERM, then clean up (agents, namespace).
 * When ready it prints ONE JSON line on stdout:
 *   {"ready":true,"sites":N,"ports":[first,last],"inventory":PATH,"control":URL,"netns":{...},"faults":{id:fault}}
 * Control API (127.0.0.1): GET /sites; POST /sites/ID/fault?set=down|slow:8000|reboot|none ...
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DEFAULT_CONFIG, loadConfig } from '../config/load.js';
import type { Inventory } from '../config/schema.js';
import { inventoryOnFleet } from '../sim/example.js';
import { InputError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { createFleet } from '../sim/fleet.js';
import { parseFaultSpec } from '../sim/faults.js';
import { intOption } from './options.js';

interface SimulateOptions {
  sites: number;
  basePort: number;
  faults?: string;
  out: string;
  controlPort: number;
  netns: boolean;
  /** An inventory to stand in for (true: the example province). */
  example?: string | true;
}

const EXAMPLE_INVENTORY = 'config/sites.example.yaml';

export function register(program: Command): void {
  program
    .command('simulate')
    .description('Run a simulated fleet of village routers (SNMP agents with moving counters, faults on demand) until interrupted.')
    .option('--sites <n>', 'number of routers', intOption('--sites'), 20)
    .option('--base-port <p>', 'UDP port of the first router; router i uses base+i', intOption('--base-port'), 20161)
    .option('--faults <spec>', 'e.g. "down=1,slow:8000=1,lossy:0.4=1,reboot:20=1,wrap:10=1,flapping:15=1" or "down@sim-0003"')
    .option('--out <file>', 'write the fleet inventory here', 'sim-sites.yaml')
    .option('--control-port <p>', 'HTTP control port on 127.0.0.1 (0 = any free port)', intOption('--control-port'), 0)
    .option('--no-netns', 'no network namespace: every fault SNMP-level only')
    .option('--example [inventory]', `stand in for a real inventory (default ${EXAMPLE_INVENTORY}): one router per site, same ids, names, communes and parents; --sites is ignored`)
    .action(async (opts: SimulateOptions) => {
      let example: Inventory | null = null;
      if (opts.example !== undefined) {
        const file = opts.example === true ? EXAMPLE_INVENTORY : opts.example;
        example = (await loadConfig({ config: DEFAULT_CONFIG, inventory: file })).inventory;
        opts.sites = example.sites.length;
      }
      if (opts.sites < 1) throw new InputError('simulate: --sites must be at least 1');
      const faults = parseFaultSpec(opts.faults);
      const logger = createLogger({ level: process.env.POINTWATCH_LOG_LEVEL ?? 'info' });
      const fleet = await createFleet({
        sites: opts.sites, basePort: opts.basePort, faults, netns: opts.netns ? 'auto' : 'off', logger,
      }).catch((err: unknown) => {
        if (err instanceof InputError) throw err;
        throw new InputError(`simulate: ${(err as Error).message}`, undefined, { cause: err });
      });
      let closing: Promise<void> | null = null;
      const shutdown = () => {
        closing ??= fleet.close().then(() => logger.info({}, 'sim: stopped, cleaned up'));
        return closing;
      };
      try {
        const out = path.resolve(opts.out);
        if (example) {
          const header = `# The inventory ${opts.example === true ? EXAMPLE_INVENTORY : opts.example} on a simulated fleet (pointwatch simulate --example); rewritten on every start.\n`;
          await writeFile(out, header + stringify(inventoryOnFleet(example, fleet.sites), { lineWidth: 0 }), 'utf8');
        } else {
          await fleet.writeInventory(out);
        }
        const port = await fleet.listenControl(opts.controlPort);
        const state = fleet.state();
        process.stdout.write(
          `${JSON.stringify({
            ready: true,
            sites: fleet.sites.length,
            ports: [opts.basePort, opts.basePort + opts.sites - 1],
            inventory: out,
            control: `http://127.0.0.1:${port}`,
            netns: fleet.netns,
            faults: Object.fromEntries(state.filter((s) => s.fault !== 'healthy').map((s) => [s.id, `${s.fault} (${s.fault_on})`])),
          })}\n`,
        );
      } catch (err) {
        await shutdown();
        throw err;
      }
      await new Promise<void>((resolve) => {
        const stop = () => void shutdown().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
