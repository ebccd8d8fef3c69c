/**
 * `pointwatch poll --once | --cycles N [--interval S] [--json] [--no-store]`: poll the inventory
 * now and print, per site and cycle, what was measured and whether the site is reachable.
 * The JSON lines are a documented contract: src/poller/README.md.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { InputError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { systemClock } from '../core/clock.js';
import type { SiteCheck } from '../core/types.js';
import { createPingProbe } from '../probes/ping/index.js';
import { createSnmpProbe } from '../probes/snmp/index.js';
import { createPoller } from '../poller/index.js';
import { createWriter, type PointWriter } from '../store/writer.js';
import { pointsForCheck } from '../store/points.js';
import { createServiceTagger } from '../reports/service-tag.js';
import { formatTable, pairChecks, toPollJson } from '../poller/report.js';
import { withConfigOptions, loadFromCli, intOption, type ConfigOptions } from './options.js';

interface PollOptions extends ConfigOptions {
  once?: boolean;
  cycles?: number;
  interval?: number;
  json?: boolean;
  store: boolean;
  spreadMs?: number;
  site?: string[];
}

const positive = (name: string) => (v: string): number => {
  const n = intOption(name)(v);
  if (n < 1) throw new InvalidArgumentError(`${name} must be at least 1 (got '${v}')`);
  return n;
};

export function register(program: Command): void {
  withConfigOptions(
    program
      .command('poll')
      .description('Poll the inventory now (ping + SNMP) and print per site the measured values and reachability.')
      .option('--once', 'one cycle (the default)')
      .option('--cycles <n>', 'run N cycles; from the 2nd on, interface rates are shown', positive('--cycles'))
      .option('--interval <s>', 'seconds between cycle starts (default: poller.snmp.interfaces_interval_s)', positive('--interval'))
      .option('--json', 'one JSON object per site per cycle (contract: src/poller/README.md)')
      .option('--no-store', 'do not write to InfluxDB')
      .option('--spread-ms <ms>', 'spread SNMP requests over this window (default: 0 for one cycle, half the interval otherwise)', intOption('--spread-ms'))
      .option('--site <id...>', 'only these sites'),
  ).action(async (opts: PollOptions) => {
    if (opts.once && opts.cycles !== undefined) throw new InputError('poll: give --once or --cycles N, not both');
    const cycles = opts.cycles ?? 1;
    const cfg = await loadFromCli(opts);
    const settings = cfg.settings;
    let sites = cfg.inventory.sites;
    if (opts.site?.length) {
      const unknown = opts.site.filter((id) => !sites.some((s) => s.id === id));
      if (unknown.length) throw new InputError(`poll: --site: unknown site id(s) ${unknown.join(', ')} in ${cfg.inventoryPath}`);
      sites = sites.filter((s) => opts.site!.includes(s.id));
    }
    const logger = createLogger({ level: process.env.POINTWATCH_LOG_LEVEL ?? 'warn' });
    const interval = opts.interval ?? settings.poller.snmp.interfaces_interval_s;
    const spreadMs = opts.spreadMs ?? (cycles > 1 && settings.poller.spread ? Math.floor(interval * 500) : 0);
    const ping = createPingProbe(settings.poller.ping, { logger });
    const snmp = createSnmpProbe(settings.poller.snmp, { logger });
    const out = process.stdout;
    const byId = new Map(sites.map((s) => [s.id, s]));
    // as `run` does: ping points carry the service-hour tag the daily rollup splits on
    const svc = createServiceTagger(settings.reports.service_hours, settings.reports.timezone);
    // Without --no-store, points go through the store's writer (InfluxDB, spool when it is down).
    const writer: PointWriter | null = opts.store
      ? await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: settings.data_dir, logger })
      : null;
    const poller = createPoller({
      settings, sites, ping, snmp, clock: systemClock, logger,
      onCheck: (checks: SiteCheck[]) => {
        pending.push(...checks);
        writer?.write(checks.flatMap((c) => pointsForCheck(byId.get(c.site)!, c, svc)));
      },
    });
    if (poller.sites.length === 0) throw new InputError(`poll: no site to poll (shard ${JSON.stringify(settings.poller.shard ?? {})} selects none)`);
    let pending: SiteCheck[] = [];
    let stopping = false;
    const onSignal = () => { stopping = true; };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      for (let c = 1; c <= cycles && !stopping; c++) {
        const started = Date.now();
        pending = [];
        await poller.runCycle(c, { spreadMs, interval_s: interval });
        const rows = pairChecks(pending).map((p) => toPollJson(p.first, p.recheck));
        if (opts.json) for (const r of rows) out.write(`${JSON.stringify(r)}\n`);
        else out.write(`${formatTable(rows).join('\n')}\n\n`);
        if (c < cycles) {
          const wait = started + interval * 1000 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
      if (writer) {
        await writer.flush();
        const st = writer.stats();
        process.stderr.write(`store: ${st.written} points written to InfluxDB, ${st.spooled} spooled${st.influx_up ? '' : ` (InfluxDB unavailable: ${st.last_error ?? 'unknown'})`}\n`);
      }
    } finally {
      await writer?.close();
      snmp.close();
      await ping.close?.();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
