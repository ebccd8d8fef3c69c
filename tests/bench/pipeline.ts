/**
 * pointwatch's real pipeline, wired the way the composition root wires it, for the benchmark:
 * ping probe (fping) + SNMP probe (net-snmp) → poller (CounterTracker inside) → alert engine
 * (reducer, dependencies, incidents in SQLite) → points (pointsForCheck, statePoint, eventPoint)
 * → writer (batches to InfluxDB, spool on failure).
 *
 * `store: false` skips points and writer; `alerting: false` skips the engine.
 */
import path from 'node:path';
import type { Settings, Site } from '../../src/config/schema.js';
import { systemClock, type Clock } from '../../src/core/clock.js';
import type { Logger } from '../../src/core/logger.js';
import type { SiteCheck } from '../../src/core/types.js';
import { createPingProbe, type PingProbe } from '../../src/probes/ping/index.js';
import { createSnmpProbe, type SnmpProbe } from '../../src/probes/snmp/index.js';
import { createPoller, type Poller } from '../../src/poller/index.js';
import { CounterTracker } from '../../src/metrics/counters.js';
import { createAlertEngine, type AlertEngine, type Dispatcher, type EngineOutput } from '../../src/alerting/engine.js';
import { openDatabase, type Db } from '../../src/store/sqlite.js';
import { createWriter, type PointWriter } from '../../src/store/writer.js';
import { eventPoint, pointsForCheck, statePoint, type Point } from '../../src/store/points.js';
import { createServiceTagger } from '../../src/reports/service-tag.js';

export interface PipelineOptions {
  settings: Settings;
  sites: Site[];
  dataDir: string;
  logger: Logger;
  store: boolean;
  alerting: boolean;
  /** Where notices go (the real dispatcher with a webhook in the notify phase; a counter otherwise). */
  dispatcher?: Dispatcher;
  clock?: Clock;
  /** Called with every batch of checks after the engine judged it (time-to-notify bookkeeping). */
  onChecks?: (checks: SiteCheck[], out: EngineOutput | null) => void;
}

export interface Pipeline {
  poller: Poller;
  ping: PingProbe;
  writer: (PointWriter & { client: import('influx').InfluxDB }) | null;
  engine: AlertEngine | null;
  /** Points handed to the writer so far, by measurement. */
  produced: Record<string, number>;
  producedTotal(): number;
  notices: number;
  close(): Promise<void>;
}

export async function createPipeline(o: PipelineOptions): Promise<Pipeline> {
  const clock = o.clock ?? systemClock;
  const ps = o.settings.poller;
  const ping = createPingProbe(
    { count: ps.ping.count, period_ms: ps.ping.period_ms, timeout_ms: ps.ping.timeout_ms, interval_ms: ps.ping.interval_ms, batch_size: ps.ping.batch_size, parallel_batches: ps.ping.parallel_batches },
    { clock, logger: o.logger },
  );
  const snmp: SnmpProbe = createSnmpProbe(
    { timeout_ms: ps.snmp.timeout_ms, retries: ps.snmp.retries, max_repetitions: ps.snmp.max_repetitions, per_agent_concurrency: ps.snmp.per_agent_concurrency },
    { clock, logger: o.logger },
  );
  const writer = o.store
    ? await createWriter({ influx: o.settings.influx, spool: o.settings.spool, dataDir: o.dataDir, logger: o.logger, clock })
    : null;
  let db: Db | null = null;
  let engine: AlertEngine | null = null;
  let notices = 0;
  if (o.alerting) {
    db = openDatabase(path.join(o.dataDir, 'pointwatch.sqlite'));
    const dispatcher: Dispatcher = o.dispatcher ?? { dispatch: async () => { notices += 1; } };
    engine = createAlertEngine({
      settings: o.settings, inventory: { sites: o.sites, areas: [] }, db, clock, logger: o.logger, dispatcher, publicUrl: 'http://127.0.0.1:8080',
    });
    await engine.tick();
  }
  const byId = new Map(o.sites.map((s) => [s.id, s]));
  const produced: Record<string, number> = {};
  const emit = (points: Point[]) => {
    for (const p of points) produced[p.measurement] = (produced[p.measurement] ?? 0) + 1;
    writer!.write(points);
  };
  const interval_s = o.settings.poller.ping.interval_s;
  // as the composition root does: site_state and ping points carry the service-hour tag
  const svc = createServiceTagger(o.settings.reports.service_hours, o.settings.reports.timezone);

  const onCheck = async (checks: SiteCheck[]) => {
    const out = engine ? await engine.ingest(checks) : null;
    if (out) notices += out.notices.length;
    if (writer) {
      const points: Point[] = [];
      for (const c of checks) points.push(...pointsForCheck(byId.get(c.site)!, c, svc));
      if (out) {
        for (const s of out.states) points.push(statePoint(byId.get(s.site)!, s.ts, s.state, interval_s, svc));
        for (const e of out.events) points.push(eventPoint(e.site ? byId.get(e.site)! : e.area, e.ts, e.type, e.fields));
      }
      emit(points);
    }
    o.onChecks?.(checks, out);
  };

  const poller = createPoller({ settings: o.settings, sites: o.sites, ping, snmp, clock, logger: o.logger, onCheck, tracker: new CounterTracker() });
  return {
    poller,
    ping,
    writer,
    engine,
    produced,
    producedTotal: () => Object.values(produced).reduce((a, b) => a + b, 0),
    get notices() { return notices; },
    async close() {
      snmp.close();
      await ping.close?.(); // shells reaped now: their fping CPU does not land in the next phase
      if (writer) await writer.close();
      db?.close();
    },
  };
}
