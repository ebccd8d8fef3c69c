/**
 * The composition root: the ONE place that constructs clients, opens sockets and wires the stages.
 *
 *   config → probes → poller (scheduler) → metrics → store writer (+ spool)
 *                                        ↘ alerting engine → dispatcher → notifiers
 *   push route (reports) and silence timer → push source → the same hand-on as the poller's checks
 *   api/web (fastify) reads: live state, latest measurements, store reader, incidents, runbooks, reports
 *
 * `startService` is what `pointwatch run` and `pointwatch demo` call; tests call it too.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type LoadOptions, type LoadedConfig } from './config/load.js';
import { createLogger, type Logger } from './core/logger.js';
import { systemClock, type Clock } from './core/clock.js';
import { errorMessage } from './core/errors.js';
import type { SiteCheck } from './core/types.js';
import type { Inventory, Site } from './config/schema.js';
import { createPingProbe } from './probes/ping/index.js';
import { createSnmpProbe } from './probes/snmp/index.js';
import { createPoller, type CycleStats } from './poller/index.js';
import { createScheduler, intervalsOf } from './scheduler/index.js';
import { collectorFromRuntime } from './core/memory.js';
import { openDatabase, databaseFile, type Db } from './store/sqlite.js';
import { createWriter } from './store/writer.js';
import { createReader } from './store/reader.js';
import { pointsForCheck, statePoint, eventPoint } from './store/points.js';
import { createServiceTagger } from './reports/service-tag.js';
import { createAlertEngine, type AlertEngine, type EngineOutput } from './alerting/engine.js';
import { createDispatcher } from './alerting/notifiers/dispatcher.js';
import { createNotifiers } from './alerting/notifiers/registry.js';
import { BudgetStore, budgetGate } from './alerting/budget.js';
import { sqliteTokenStore } from './alerting/notifiers/token-store.js';
import { loadRunbooks } from './runbooks/load.js';
import { runbooksDir } from './alerting/notifiers/check.js';
import { runCoverageReport } from './reports/run.js';
import { createReportRunner } from './reports/scheduled/runner.js';
import { incidentsFromDb } from './reports/incidents.js';
import { createInflux } from './store/client.js';
import { buildServer } from './api/server.js';
import { resolveSessionSecret } from './api/auth/secret.js';
import { incidentRepoAdapter, historyAdapter, runbookSource, coverageAdapter, LatestTracker } from './api/adapters.js';
import type { MetricSample, PushIngress } from './api/deps.js';
import { PushSource } from './push/source.js';
import { selectShard } from './poller/shard.js';
import { PushTokenStore } from './push/tokens.js';

/** Push reports wait at most this long (or for this many) before they are handed on together. */
const PUSH_LINGER_MS = 200;
const PUSH_MAX_BATCH = 500;

export interface ServiceOptions extends LoadOptions {
  /** Already loaded configuration (the demo builds its own). */
  loaded?: LoadedConfig;
  clock?: Clock;
  logger?: Logger;
  /** Start the cron scheduler (default true). Tests drive cycles with `service.cycle()`. */
  schedule?: boolean;
  /** Listen on settings.api host/port (default true). */
  listen?: boolean;
  /** Runbooks folder (default: settings.runbooks_dir, relative to the settings file). */
  runbooksDir?: string;
}

export interface Service {
  readonly config: LoadedConfig;
  readonly app: FastifyInstance;
  readonly engine: AlertEngine;
  readonly db: Db;
  /** Address the HTTP server listens on (when listening). */
  readonly url: string | null;
  /** Run one full poll cycle now (what a cron tick does). */
  cycle(): Promise<void>;
  /** Graceful stop: finish the running cycle, flush the writer, close everything. */
  stop(): Promise<void>;
}

function siteIndex(inv: Inventory): Map<string, Site> {
  return new Map(inv.sites.map((s) => [s.id, s]));
}

export async function startService(opts: ServiceOptions = {}): Promise<Service> {
  const config = opts.loaded ?? (await loadConfig(opts));
  const { settings } = config;
  let inventory = config.inventory;
  let sites = siteIndex(inventory);
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: settings.log_level });
  const log = logger.child({ component: 'main' });
  for (const w of config.warnings) log.warn({ warning: w }, 'configuration warning');

  const db = openDatabase(databaseFile(settings));
  const writer = await createWriter({ influx: settings.influx, spool: settings.spool, dataDir: settings.data_dir, logger, clock });
  const reader = createReader(writer.client, settings.influx, { clock });

  let engineRef: AlertEngine | null = null;
  const notifierStats = { sent: 0, failed: 0 };
  const budgetStore = new BudgetStore(db);
  const dispatcher = createDispatcher({
    budget: budgetGate(budgetStore, { budget: settings.budget.sms_zalo_per_commune_month, tz: settings.reports.timezone, clock }),
    // Zalo refresh tokens are single-use: keep refreshed ones in SQLite so a restart does not reuse a spent one.
    notifiers: createNotifiers(settings.notifiers, { logger, clock, tz: settings.reports.timezone, tokenStore: sqliteTokenStore(db) }),
    logger,
    clock,
    record: (notice, results) => {
      for (const r of results) r.ok ? notifierStats.sent++ : notifierStats.failed++;
      engineRef?.repo.recordDeliveryResults(notice, results);
    },
  });
  const sessionSecret = resolveSessionSecret(settings);
  const engine = createAlertEngine({ settings, inventory, db, clock, logger, dispatcher, publicUrl: settings.api.public_url, linkSecret: sessionSecret });
  engineRef = engine;

  // the svc tag (service hours) on site_state and ping points: year reports read the daily rollup's split
  const svc = createServiceTagger(settings.reports.service_hours, settings.reports.timezone);
  /**
   * Site-state and event points for what the engine decided. A push-only site's check stands for
   * the time its check says it covers (`push.covers_s`: the first silence covers the whole wait).
   */
  const writeEngineOutput = (out: EngineOutput, interval_s: number, covers?: ReadonlyMap<string, number>) => {
    const points = [];
    for (const s of out.states) {
      const site = sites.get(s.site);
      if (site) points.push(statePoint(site, s.ts, s.state, covers?.get(`${s.site}@${s.ts}`) ?? interval_s, svc));
    }
    for (const e of out.events) {
      const subject = e.site ? sites.get(e.site) : { ...e.area };
      if (subject) points.push(eventPoint(subject, e.ts, e.type, e.fields));
    }
    writer.write(points);
  };

  const latest = new LatestTracker();
  const probeErrors = { snmp_timeouts: 0, snmp_errors: 0, unknown: 0, snmp_skipped: 0, snmp_late: 0 };
  const ping = createPingProbe(settings.poller.ping, { logger, clock });
  const snmp = createSnmpProbe(settings.poller.snmp, { logger, clock });
  const pingInterval = settings.poller.ping.interval_s;
  /** Where every check goes, polled or pushed: the store, the live view, alerting. One pipeline, two sources. */
  const handOn = async (checks: SiteCheck[]) => {
    const points = [];
    for (const c of checks) {
      const site = sites.get(c.site);
      if (site) points.push(...pointsForCheck(site, c, svc));
    }
    writer.write(points);
    latest.record(checks);
    try {
      const covers = new Map<string, number>();
      for (const c of checks) if (c.push) covers.set(`${c.site}@${c.ts}`, c.push.covers_s);
      writeEngineOutput(await engine.ingest(checks), pingInterval, covers);
    } catch (err) {
      // Alerting must never stop the measurements from being stored.
      log.error({ err: errorMessage(err) }, 'alert engine failed on a batch');
    }
  };
  const poller = createPoller({
    settings,
    sites: inventory.sites,
    ping,
    snmp,
    clock,
    logger,
    onCheck: handOn,
  });
  // like the poller, a process takes the push sites of its shard only (the others are another process's)
  const pushSource = new PushSource(settings, selectShard(inventory.sites, settings.poller.shard), clock.now());
  // Reports leave in batches (one alerting transaction and one write for many), as the poller's checks do
  let pushBatch: SiteCheck[] = [];
  let pushTimer: NodeJS.Timeout | null = null;
  let pushHandedOn: Promise<void> = Promise.resolve();
  const flushPush = () => {
    if (pushTimer) clearTimeout(pushTimer);
    pushTimer = null;
    const batch = pushBatch;
    pushBatch = [];
    if (batch.length) pushHandedOn = pushHandedOn.then(() => handOn(batch)).catch((err) => log.error({ err: errorMessage(err) }, 'push reports not handed on'));
  };
  const push: PushIngress = {
    source: pushSource,
    tokens: new PushTokenStore(db),
    onCheck: (c) => {
      pushBatch.push(c);
      if (pushBatch.length >= PUSH_MAX_BATCH) flushPush();
      else pushTimer ??= setTimeout(flushPush, PUSH_LINGER_MS);
    },
    stats: { accepted: 0, rejected: {} },
  };
  const silenceTimer = setInterval(() => {
    const late = pushSource.silences(clock.now());
    if (late.length) pushHandedOn = pushHandedOn.then(() => handOn(late)).catch((err) => log.error({ err: errorMessage(err) }, 'push silences not handed on'));
  }, settings.push.silence_check_s * 1000);
  silenceTimer.unref();
  let lastCycle: CycleStats | null = null;
  const collect = collectorFromRuntime();
  if (!collect && settings.poller.rss_budget_mb > 0) log.warn({ rss_budget_mb: settings.poller.rss_budget_mb }, 'node started without --expose-gc: no collection over the memory budget (bin/pointwatch.js passes it)');
  const scheduler = createScheduler({
    settings,
    poller,
    clock,
    logger,
    collect,
    onCycle: (stats) => {
      lastCycle = stats;
      probeErrors.snmp_timeouts += stats.snmp_timeouts;
      probeErrors.snmp_errors += stats.snmp_errors;
      probeErrors.unknown += stats.unknown;
      probeErrors.snmp_skipped += stats.snmp_skipped;
      probeErrors.snmp_late += stats.snmp_late;
    },
  });

  const runbooks = loadRunbooks(opts.runbooksDir ?? runbooksDir(settings, config.settingsPath));

  const metrics = (): MetricSample[] => {
    const sc = scheduler.counters();
    const ws = writer.stats();
    const m = (name: string, help: string, type: MetricSample['type'], value: number, labels?: Record<string, string>): MetricSample => ({ name, help, type, value, labels });
    return [
      m('pointwatch_sites', 'Sites this process polls', 'gauge', poller.sites.length),
      m('pointwatch_cycles_total', 'Poll cycles started', 'counter', sc.cycles),
      m('pointwatch_cycle_overruns_total', 'Ticks skipped because the previous cycle was still running', 'counter', sc.overruns),
      m('pointwatch_cycle_duration_seconds', 'Duration of the last poll cycle', 'gauge', (sc.last_cycle_duration_ms ?? 0) / 1000),
      m('pointwatch_probe_errors_total', 'SNMP timeouts', 'counter', probeErrors.snmp_timeouts, { kind: 'snmp_timeout' }),
      m('pointwatch_probe_errors_total', 'SNMP errors', 'counter', probeErrors.snmp_errors, { kind: 'snmp_error' }),
      m('pointwatch_probe_errors_total', 'Checks the poller could not make', 'counter', probeErrors.unknown, { kind: 'unknown' }),
      m('pointwatch_snmp_not_awaited_total', 'SNMP polls of sites whose every ping was lost: not started', 'counter', probeErrors.snmp_skipped, { kind: 'skipped' }),
      m('pointwatch_snmp_not_awaited_total', 'SNMP answers that came after their site was handed on (not used)', 'counter', probeErrors.snmp_late, { kind: 'late' }),
      m('pointwatch_points_written_total', 'Points InfluxDB accepted', 'counter', ws.written),
      m('pointwatch_points_spooled_total', 'Points written to the disk spool', 'counter', ws.spooled),
      m('pointwatch_points_replayed_total', 'Points replayed from the spool', 'counter', ws.replayed),
      m('pointwatch_points_dropped_total', 'Points lost (spool bound, corruption, disk full)', 'counter', ws.dropped),
      m('pointwatch_points_rejected_total', 'Points InfluxDB refused', 'counter', ws.rejected),
      m('pointwatch_write_latency_ms', 'Last InfluxDB write latency', 'gauge', ws.write_latency_ms.last),
      m('pointwatch_write_batch_points', 'Points in the last batch', 'gauge', ws.batch_points.last),
      m('pointwatch_spool_bytes', 'Bytes waiting in the spool', 'gauge', ws.spool.bytes),
      m('pointwatch_influx_up', '1 when the last write reached InfluxDB', 'gauge', ws.influx_up ? 1 : 0),
      m('pointwatch_notifications_total', 'Notifications delivered', 'counter', notifierStats.sent, { result: 'sent' }),
      m('pointwatch_notifications_total', 'Notifications that failed', 'counter', notifierStats.failed, { result: 'failed' }),
      m('pointwatch_notifications_pending', 'Deliveries waiting for a retry', 'gauge', dispatcher.pending().length),
      m('pointwatch_push_reports_total', 'Push reports accepted', 'counter', push.stats.accepted, { result: 'accepted' }),
      ...Object.entries(push.stats.rejected).map(([code, n]) => m('pointwatch_push_reports_total', 'Push reports refused, by error code', 'counter', n, { result: code })),
    ];
  };

  // Reports sum months of data: their own client with a long timeout; incidents from SQLite (any period).
  const reportsClient = createInflux({ ...settings.influx, timeout_ms: Math.max(settings.influx.timeout_ms, 300_000) });
  const reportIncidents = incidentsFromDb(db);

  const app = await buildServer({
    settings,
    inventory: () => inventory,
    reloadInventory: async () => {
      const fresh = await loadConfig({ config: config.settingsPath, inventory: config.inventoryPath });
      inventory = fresh.inventory;
      sites = siteIndex(inventory);
      engine.setInventory(inventory);
      pushSource.setSites(selectShard(inventory.sites, settings.poller.shard));
      log.info({ sites: inventory.sites.length }, 'inventory reloaded');
      return inventory;
    },
    live: { states: () => engine.states(), latest: latest.latest },
    history: historyAdapter(reader, async () => (await writer.client.ping(2000)).every((h) => h.online)),
    incidents: incidentRepoAdapter(engine.repo),
    runbooks: runbookSource(runbooks),
    coverage: coverageAdapter((p) => runCoverageReport(p, { settings, inventory, influx: reportsClient, incidents: reportIncidents, clock, logger }), settings),
    metrics,
    stateBuckets: (from, to, filter) => reader.stateBuckets(from, to, '1h', filter),
    db,
    sessionSecret,
    clock,
    logger,
    push,
  });

  // Scheduled reports (opt-in): sent once per period and recipient, recorded in the same SQLite file.
  const reports = settings.scheduled_reports.enabled
    ? createReportRunner({
      settings, inventory: () => inventory, states: () => engine.states(), db, clock, logger,
      coverage: (p) => runCoverageReport({ from: p.from, to: p.to, province: p.province }, { settings, inventory, influx: reportsClient, incidents: reportIncidents, clock, logger }),
    })
    : null;

  let url: string | null = null;
  if (opts.listen !== false) url = await app.listen({ host: settings.api.host, port: settings.api.port });

  await engine.tick(clock.now()).then((o) => writeEngineOutput(o, 0)).catch((err) => log.error({ err: errorMessage(err) }, 'alert engine tick failed'));
  const tickTimer = setInterval(() => {
    engine.tick(clock.now()).then((o) => writeEngineOutput(o, 0)).catch((err) => log.error({ err: errorMessage(err) }, 'alert engine tick failed'));
  }, 15_000);
  tickTimer.unref();
  if (opts.schedule !== false) {
    scheduler.start();
    reports?.start();
  }
  log.info({ sites: poller.sites.length, url, intervals: intervalsOf(settings), influx: settings.influx.url }, 'pointwatch running');

  let stopping: Promise<void> | null = null;
  return {
    config,
    app,
    engine,
    db,
    url,
    cycle: async () => {
      await scheduler.tick({ ping: true, system: true, interfaces: true });
    },
    stop: () => {
      stopping ??= (async () => {
        clearInterval(tickTimer);
        clearInterval(silenceTimer);
        await scheduler.stop();
        await reports?.stop();
        await app.close();
        flushPush();
        await pushHandedOn;
        await engine.drain(); // notices are sent in the background: let them finish (or be recorded)
        await dispatcher.close();
        await writer.close();
        snmp.close();
        await ping.close?.();
        db.close();
        log.info({ last_cycle: lastCycle }, 'pointwatch stopped');
      })();
      return stopping;
    },
  };
}
