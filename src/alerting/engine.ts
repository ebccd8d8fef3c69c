/**
 * The alerting engine: the stateful shell around the pure parts (reducer, dependencies, commune,
 * escalation, maintenance). It judges each batch of checks parents first, opens and resolves
 * incidents in SQLite, builds Notices and hands them to the dispatcher (the notifiers).
 *
 * Delivery guarantee (at-least-once, idempotent by notice id):
 * 1. In ONE transaction: the new site states, the incident changes, and every notice to send,
 *    recorded as 'pending' under its stable id (`incident-<id>-<event>-<level>`, UNIQUE).
 * 2. After commit: dispatcher.dispatch(notice) in the background (ingest does not wait: a slow
 *    channel never holds up polling), then the notice is marked 'dispatched' (or 'failed' with
 *    the error). `output.delivery` settles when that is done; drain() waits for all of them.
 * A crash before 1 commits loses nothing: the checks are judged again from the saved states,
 * and the same incident/notice ids come out (the latch prevents a second incident). A crash
 * between dispatch and the mark leaves the notice 'pending': the next tick() sends it again
 * with the SAME id, so a receiver that deduplicates by id (the webhook's delivery id, the
 * notifiers' delivery records) sees it once; a plain SMS may arrive twice (that window is the
 * dispatch call itself). A notice never silently disappears: failed ones are retried by tick()
 * until dispatched.
 *
 * Call tick(now) every few seconds: it releases held notices, escalates, retries failed and
 * interrupted notices, and re-judges sites whose maintenance window started or ended.
 *
 * This file is the batch loop (ingest, tick, apply the reducer's effects); its parts share an
 * EngineContext (engine-context.ts): grouping.ts holds and folds by commune, notify.ts builds
 * and records the notices, periodic.ts has the tick's timers, delivery.ts dispatches after commit.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Inventory, Settings, Site } from '../config/schema.js';
import { StringEnum } from '../core/schema.js';
import type { Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import type { SiteCheck } from '../core/types.js';
import type { EventFields } from '../store/points.js';
import { SITE_STATES, type EventType, type SiteStateName } from '../store/schema.js';
import type { Db } from '../store/sqlite.js';
import { placeOf } from '../inventory/places.js';
import { affectedBy, evaluateBatch, type BatchResult, type StateLookup } from './dependencies.js';
import { NoticeDelivery, type Dispatched, type Dispatcher } from './delivery.js';
import { fleetOf, newBatch, type Batch, type EngineContext, type EngineEvent, type Fleet } from './engine-context.js';
import { groupHold, judgeCommunes, releaseHeld } from './grouping.js';
import { IncidentRepository } from './incidents.js';
import { linkKey } from './links.js';
import { isWindowActive, windowCovers, type MaintenanceWindow } from './maintenance.js';
import type { AlertKind } from './notice.js';
import { notifyFiring, notifyResolved } from './notify.js';
import { closeRemovedSites, escalate, maintenanceEdges, noticesToRetry } from './periodic.js';
import { sameForRestart, streakCap, type Effect, type SiteAlertState } from './reducer.js';
import { shareUnchanged } from './state-sharing.js';

export type { Dispatcher, DispatchOutcome } from './delivery.js';
export type { EngineEvent } from './engine-context.js';

export interface EngineOutput extends Dispatched {
  /** One per check judged: write as `site_state` points (statePoint). */
  states: Array<{ site: string; ts: number; state: SiteStateName }>;
  /** Write as `event` points (eventPoint). */
  events: EngineEvent[];
}

/** A site's current state as the engine holds it (and as the API answers it). */
export const LiveSiteState = Type.Object({
  state: StringEnum(SITE_STATES),
  since: Type.Number({ description: 'epoch ms the state began' }),
  detail: Type.String({ description: 'the condition, explaining itself (loss_pct 42 > 20 for 3 checks)' }),
});
export type LiveSiteState = Static<typeof LiveSiteState>;

export interface AlertEngineDeps {
  settings: Settings;
  inventory: Inventory;
  db: Db;
  clock: Clock;
  logger: Logger;
  dispatcher: Dispatcher;
  /** Base of runbook and acknowledge links, e.g. https://pointwatch.example.vn */
  publicUrl: string;
  /** The server secret: notices then carry signed single-incident links (links.ts); else the plain pages. */
  linkSecret?: string;
}

export interface AlertEngine {
  readonly repo: IncidentRepository;
  /** Judge a batch of checks (one poll cycle, or a fast re-check). */
  ingest(checks: readonly SiteCheck[]): Promise<EngineOutput>;
  /** Held notices, escalation, retries, maintenance edges. Also call once at start-up. */
  tick(now?: number): Promise<EngineOutput>;
  /** Current state per site (for the API). */
  states(): Map<string, LiveSiteState>;
  /** After an inventory reload. */
  setInventory(inventory: Inventory): void;
  /** Wait for every dispatch in flight (graceful stop: call before closing the database). */
  drain(): Promise<void>;
}


function stateForKind(kind: AlertKind, current: SiteStateName): SiteStateName {
  if (kind === 'site-down' || kind === 'upstream-down' || kind === 'power-cut-suspected') return 'DOWN';
  if (kind === 'flapping' || kind === 'rebooted') return current;
  return 'DEGRADED';
}

export function createAlertEngine(deps: AlertEngineDeps): AlertEngine {
  return new Engine(deps);
}

class Engine implements AlertEngine {
  readonly repo: IncidentRepository;
  private readonly ctx: EngineContext;
  private readonly delivery: NoticeDelivery;
  /** The state last written to SQLite per site (a later state the same for a restart is not written again). */
  private readonly persisted = new Map<string, SiteAlertState>();
  private readonly streakCap: number;
  private recovered = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: AlertEngineDeps) {
    const tz = deps.settings.reports.timezone;
    this.repo = new IncidentRepository(deps.db, deps.clock, tz);
    const log = deps.logger.child({ component: 'alerting' });
    this.ctx = {
      settings: deps.settings,
      clock: deps.clock,
      log,
      repo: this.repo,
      tz,
      groupWaitMs: parseDuration(deps.settings.alerting.group_wait ?? '30s'),
      links: {
        publicUrl: deps.publicUrl.replace(/\/+$/, ''),
        key: deps.linkSecret ? linkKey(deps.linkSecret) : null,
        ttlMs: parseDuration(deps.settings.alerting.link_expiry),
      },
      fleet: fleetOf(deps.inventory),
      siteStates: this.repo.loadSiteStates(),
    };
    this.delivery = new NoticeDelivery(this.repo, deps.dispatcher, deps.clock, log);
    for (const [id, st] of this.ctx.siteStates) this.persisted.set(id, st);
    this.streakCap = streakCap(deps.settings);
    this.useFleet(this.ctx.fleet);
  }

  setInventory(inventory: Inventory): void {
    this.useFleet(fleetOf(inventory));
  }

  private useFleet(fleet: Fleet): void {
    this.ctx.fleet = fleet;
    // states of sites that left the inventory stay in SQLite, but are no longer judged
    for (const id of [...this.ctx.siteStates.keys()]) if (!fleet.sitesById.has(id)) this.ctx.siteStates.delete(id);
    for (const id of [...this.persisted.keys()]) if (!fleet.sitesById.has(id)) this.persisted.delete(id);
  }

  states(): Map<string, LiveSiteState> {
    const out = new Map<string, LiveSiteState>();
    for (const s of this.ctx.fleet.inventory.sites) {
      const st = this.ctx.siteStates.get(s.id);
      if (st) out.set(s.id, { state: st.state, since: st.since, detail: st.detail });
    }
    return out;
  }

  ingest(checks: readonly SiteCheck[]): Promise<EngineOutput> {
    return this.serial(async () => {
      const now = this.deps.clock.now();
      const { fleet, siteStates, log } = this.ctx;
      const unknown = checks.filter((c) => !fleet.sitesById.has(c.site));
      for (const c of unknown) log.warn({ site: c.site }, 'check for a site not in the inventory ignored');
      const result = evaluateBatch(fleet.graph, siteStates, checks, this.ctxFor(), now);
      const batch = this.apply(result, now);
      return { states: result.perCheck, events: batch.events, ...this.delivery.dispatchAll(batch.notices) };
    });
  }

  tick(nowArg?: number): Promise<EngineOutput> {
    return this.serial(async () => {
      const now = nowArg ?? this.deps.clock.now();
      const ctx = this.ctx;
      const edges = maintenanceEdges(ctx, now);
      const batch = edges.length ? this.apply(evaluateBatch(ctx.fleet.graph, ctx.siteStates, [], this.ctxFor(), now, edges), now) : newBatch(now);
      this.repo.transaction(() => {
        closeRemovedSites(ctx, batch);
        releaseHeld(ctx, batch, ctx.siteStates);
        escalate(ctx, batch);
      });
      const afterStart = !this.recovered;
      this.recovered = true;
      const retry = noticesToRetry(ctx, batch, afterStart);
      return { states: [], events: batch.events, ...this.delivery.dispatchAll([...batch.notices, ...retry]) };
    });
  }

  drain(): Promise<void> {
    return this.delivery.drain();
  }

  // ------------------------------------------------------------ internals

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Whether a site is in a maintenance window at a time (windows read once per batch, active ones once per minute). */
  private ctxFor() {
    const cache = new Map<number, MaintenanceWindow[]>();
    const windows = this.repo.maintenance.list();
    return (site: Site, ts: number) => {
      const minute = Math.floor(ts / 60_000);
      let active = cache.get(minute);
      if (!active) {
        active = windows.filter((w) => isWindowActive(w, ts, this.ctx.tz));
        cache.set(minute, active);
      }
      return { settings: this.deps.settings, now: ts, inMaintenance: active.some((w) => windowCovers(w, site)) };
    };
  }

  /** Everything a batch changes, in one transaction; returns the notices to dispatch after commit. */
  private apply(result: BatchResult, now: number): Batch {
    const batch = newBatch(now);
    // only the judged sites can have changed: O(batch), not O(inventory)
    const judged = new Set([...result.perCheck.map((p) => p.site), ...result.resettled]);
    const changed: SiteAlertState[] = [];
    for (const id of judged) {
      const st = result.changed.get(id);
      if (st && this.ctx.siteStates.get(id) !== st) changed.push(st);
    }
    // written to SQLite: the states a restart would not take for the one written last
    const toSave = changed.filter((st) => {
      const last = this.persisted.get(st.site);
      return last === undefined || !sameForRestart(last, st, this.streakCap);
    });
    const before = this.ctx.siteStates; // updated in place only after the transaction commits
    this.repo.transaction(() => {
      for (const { site, effect } of result.effects) this.applyEffect(site, effect, result.view, before, batch);
      this.updateAffected(result.view);
      judgeCommunes(this.ctx, result.view, judged, batch);
      for (const id of batch.opened) {
        const inc = this.repo.getIncident(id)!;
        if (inc.resolved_at === null && inc.notified_at === null && inc.merged_into === null && inc.hold_until === null) {
          notifyFiring(this.ctx, inc, batch);
        }
      }
      releaseHeld(this.ctx, batch, result.view);
      this.repo.saveSiteStates(toSave, now);
    });
    for (const st of changed) this.ctx.siteStates.set(st.site, shareUnchanged(before.get(st.site), st, this.streakCap)); // kept: share unchanged parts
    for (const st of toSave) this.persisted.set(st.site, st);
    return batch;
  }

  private applyEffect(siteId: string, e: Effect, states: StateLookup, before: Map<string, SiteAlertState>, batch: Batch): void {
    const site = this.ctx.fleet.sitesById.get(siteId)!;
    const area = placeOf(site);
    const ev = (type: EventType, ts: number, fields: EventFields) => batch.events.push({ site: siteId, area, ts, type, fields });
    switch (e.type) {
      case 'transition':
        ev('transition', e.ts, { text: e.detail, from_state: e.from, to_state: e.to });
        this.ctx.log.info({ site: siteId, from: e.from, to: e.to, detail: e.detail }, 'site state changed');
        return;
      case 'flapping':
        ev('flapping', e.ts, { text: e.detail });
        return;
      case 'reboot': {
        ev('reboot', e.ts, { text: 'router rebooted', value: Math.max(0, Math.round((e.ts - e.at) / 1000)) });
        const st = states.get(siteId)!;
        const prevState = before.get(siteId)?.state;
        const quiet = st.state === 'MAINTENANCE' || st.alerts['site-down'] !== undefined || prevState === 'DOWN' || prevState === 'UNREACHABLE';
        if (!quiet) {
          // a reboot between two checks: the site was dark for a moment (power blip). Tell, once.
          const at = new Date(e.at).toISOString();
          const inc = this.repo.openIncident({ kind: 'rebooted', site_id: siteId, ...area, state: st.state, detail: `router rebooted at ${at} (power blip?)`, opened_at: e.at });
          this.repo.resolveIncident(inc.id, e.ts, 'power', 'informational: back up by the next check');
          notifyFiring(this.ctx, this.repo.getIncident(inc.id)!, batch);
        }
        return;
      }
      case 'open': {
        const st = states.get(siteId)!;
        const affected = e.kind === 'site-down' ? affectedBy(this.ctx.fleet.graph, siteId, states) : [];
        // a down site with sites behind it is an upstream outage: one incident, its own runbook
        const kind: AlertKind = e.kind === 'site-down' && affected.length > 0 ? 'upstream-down' : e.kind;
        const inc = this.repo.openIncident({ kind, site_id: siteId, ...area, state: stateForKind(kind, st.state), detail: e.detail, opened_at: e.since, affected });
        // held at most group_wait, released at the end of this batch unless a site of its commune is still failing unconfirmed
        if (e.kind === 'site-down') this.repo.setHold(inc.id, groupHold(this.ctx, site, batch.now), null);
        batch.opened.push(inc.id);
        ev('incident_open', e.ts, { text: `${kind}: ${e.detail}`, incident_id: inc.id });
        return;
      }
      case 'resolve': {
        const inc = this.repo.findOpen(e.kind, siteId, area) ?? (e.kind === 'site-down' ? this.repo.findOpen('upstream-down', siteId, area) : null);
        if (!inc) {
          this.ctx.log.warn({ site: siteId, kind: e.kind }, 'resolve for an incident that is not open');
          return;
        }
        const done = this.repo.resolveIncident(inc.id, e.ts, e.cause, e.detail)!;
        notifyResolved(this.ctx, done, batch);
        ev('incident_resolve', e.ts, { text: `${inc.kind}: ${e.detail}`, incident_id: inc.id, cause: e.cause });
        return;
      }
    }
  }

  /** Keep each open site-down incident's list of UNREACHABLE descendants (it only grows). */
  private updateAffected(states: StateLookup): void {
    const { graph } = this.ctx.fleet;
    for (const inc of this.repo.openIncidents()) {
      if ((inc.kind !== 'site-down' && inc.kind !== 'upstream-down') || !inc.site_id || !graph.children.has(inc.site_id)) continue;
      const now = affectedBy(graph, inc.site_id, states);
      const merged = [...new Set([...inc.affected, ...now])];
      if (merged.length !== inc.affected.length) this.repo.setAffected(inc.id, merged);
    }
  }
}
