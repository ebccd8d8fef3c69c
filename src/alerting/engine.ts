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
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Commune, CommuneKind, Inventory, Level, Settings, Site } from '../config/schema.js';
import { StringEnum } from '../core/schema.js';
import type { Clock } from '../core/clock.js';
import { parseDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SiteCheck } from '../core/types.js';
import type { EventFields } from '../store/points.js';
import { SITE_STATES, type EventType, type SiteStateName } from '../store/schema.js';
import type { Db } from '../store/sqlite.js';
import { communeKey, evaluateCommunes, type CommuneSiteView } from './commune.js';
import { communeIndex, placeOf, type Place } from '../inventory/places.js';
import { parseDetail } from './condition.js';
import { affectedBy, buildGraph, evaluateBatch, type BatchResult, type SiteGraph, type StateLookup } from './dependencies.js';
import { dueEscalations, escalationSteps, recipientsFor } from './escalation.js';
import { IncidentRepository, type Incident } from './incidents.js';
import { incidentLinks, linkKey } from './links.js';
import { isWindowActive, windowCovers, type MaintenanceWindow } from './maintenance.js';
import type { AlertKind, Cause, FoldedIncident, Notice, NoticeSite } from './notice.js';
import { sameForRestart, streakCap, type Effect, type SiteAlertState } from './reducer.js';
import { shareUnchanged } from './state-sharing.js';

export interface Dispatcher {
  dispatch(notice: Notice): Promise<void>;
}

export interface EngineEvent {
  /** The site, or null for a commune-level event (then `area` carries the tags). */
  site: string | null;
  area: Place;
  ts: number;
  type: EventType;
  fields: EventFields;
}

export interface EngineOutput {
  /** One per check judged: write as `site_state` points (statePoint). */
  states: Array<{ site: string; ts: number; state: SiteStateName }>;
  /** Write as `event` points (eventPoint). */
  events: EngineEvent[];
  /** Ids of the notices handed to the dispatcher by this call (already recorded in SQLite). */
  notices: string[];
  /**
   * Settles when the dispatcher has answered for each of them (never rejects). The poller does
   * not wait for it: a slow or dead channel never holds up polling.
   */
  delivery: Promise<DispatchOutcome[]>;
}

export interface DispatchOutcome {
  id: string;
  ok: boolean;
  error?: string;
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

const COMMUNE_KINDS: readonly AlertKind[] = ['power-cut-suspected', 'upstream-down'];

function stateForKind(kind: AlertKind, current: SiteStateName): SiteStateName {
  if (kind === 'site-down' || kind === 'upstream-down' || kind === 'power-cut-suspected') return 'DOWN';
  if (kind === 'flapping' || kind === 'rebooted') return current;
  return 'DEGRADED';
}

export function createAlertEngine(deps: AlertEngineDeps): AlertEngine {
  return new Engine(deps);
}

interface Batch {
  now: number;
  notices: Notice[];
  events: EngineEvent[];
  /** Incidents opened in this batch, to notify at the end unless held or folded. */
  opened: number[];
}

class Engine implements AlertEngine {
  readonly repo: IncidentRepository;
  private inventory!: Inventory;
  private graph!: SiteGraph;
  private sitesById!: Map<string, Site>;
  private communeSites!: Map<string, Site[]>;
  private communeInfo!: Map<string, Commune>;
  private siteStates: Map<string, SiteAlertState>;
  /** The state last written to SQLite per site (a later state the same for a restart is not written again). */
  private readonly persisted = new Map<string, SiteAlertState>();
  private readonly streakCap: number;
  private readonly inFlight = new Set<string>();
  private readonly inFlightDone = new Set<Promise<unknown>>();
  private recovered = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;
  private readonly tz: string;
  private readonly publicUrl: string;
  private readonly groupWaitMs: number;
  private readonly linkKey: Buffer | null;
  private readonly linkTtlMs: number;

  constructor(private readonly deps: AlertEngineDeps) {
    this.log = deps.logger.child({ component: 'alerting' });
    this.tz = deps.settings.reports.timezone;
    this.publicUrl = deps.publicUrl.replace(/\/+$/, '');
    this.groupWaitMs = parseDuration(deps.settings.alerting.group_wait ?? '30s');
    this.linkKey = deps.linkSecret ? linkKey(deps.linkSecret) : null;
    this.linkTtlMs = parseDuration(deps.settings.alerting.link_expiry);
    this.repo = new IncidentRepository(deps.db, deps.clock, this.tz);
    this.siteStates = this.repo.loadSiteStates();
    for (const [id, st] of this.siteStates) this.persisted.set(id, st);
    this.streakCap = streakCap(deps.settings);
    this.setInventory(deps.inventory);
  }

  setInventory(inventory: Inventory): void {
    this.inventory = inventory;
    this.graph = buildGraph(inventory.sites);
    this.sitesById = new Map(inventory.sites.map((s) => [s.id, s]));
    // states of sites that left the inventory stay in SQLite, but are no longer judged
    for (const id of [...this.siteStates.keys()]) if (!this.sitesById.has(id)) this.siteStates.delete(id);
    for (const id of [...this.persisted.keys()]) if (!this.sitesById.has(id)) this.persisted.delete(id);
    this.communeInfo = communeIndex(inventory.communes ?? []);
    this.communeSites = new Map();
    for (const s of inventory.sites) {
      const k = communeKey(s);
      const l = this.communeSites.get(k) ?? [];
      l.push(s);
      this.communeSites.set(k, l);
    }
  }

  states(): Map<string, LiveSiteState> {
    const out = new Map<string, LiveSiteState>();
    for (const s of this.inventory.sites) {
      const st = this.siteStates.get(s.id);
      if (st) out.set(s.id, { state: st.state, since: st.since, detail: st.detail });
    }
    return out;
  }

  ingest(checks: readonly SiteCheck[]): Promise<EngineOutput> {
    return this.serial(async () => {
      const now = this.deps.clock.now();
      const unknown = checks.filter((c) => !this.sitesById.has(c.site));
      for (const c of unknown) this.log.warn({ site: c.site }, 'check for a site not in the inventory ignored');
      const result = evaluateBatch(this.graph, this.knownStates(), checks, this.ctxFor(), now);
      const batch = this.apply(result, now);
      return { states: result.perCheck, events: batch.events, ...this.dispatchAll(batch.notices) };
    });
  }

  tick(nowArg?: number): Promise<EngineOutput> {
    return this.serial(async () => {
      const now = nowArg ?? this.deps.clock.now();
      // maintenance edges: sites whose window started or ended since they were last judged
      const active = this.repo.maintenance.list().filter((w) => isWindowActive(w, now, this.tz));
      const edges: string[] = [];
      for (const [id, st] of this.knownStates()) {
        const site = this.sitesById.get(id)!;
        const inWindow = active.some((w) => windowCovers(w, site));
        if (inWindow !== (st.state === 'MAINTENANCE')) edges.push(id);
      }
      let batch: Batch = { now, notices: [], events: [], opened: [] };
      if (edges.length) batch = this.apply(evaluateBatch(this.graph, this.knownStates(), [], this.ctxFor(), now, edges), now);
      this.repo.transaction(() => {
        for (const inc of this.repo.openIncidents()) {
          // a site that left the inventory: close its incidents (told if anyone heard of them)
          if (inc.site_id !== null && !this.sitesById.has(inc.site_id)) {
            const done = this.repo.resolveIncident(inc.id, now, 'unknown', 'the site was removed from the inventory')!;
            this.notifyResolved(done, batch);
          }
        }
        this.releaseHeld(batch, this.siteStates);
        for (const inc of this.repo.openIncidents()) {
          // a site incident folded into a commune incident: the commune incident escalates for it
          if (inc.merged_into !== null) continue;
          for (const step of dueEscalations(inc, escalationSteps(this.deps.settings), now)) {
            batch.notices.push(this.recordNotice(this.buildNotice(inc, 'escalated', step.level), now));
            this.repo.markEscalated(inc.id, step.level);
            this.log.info({ incident: inc.id, level: step.level }, 'incident escalated');
          }
        }
      });
      const retry = this.repo.undispatched().filter((r) => !batch.notices.some((n) => n.id === r.notice_id)).map((r) => r.notice);
      if (!this.recovered) {
        // first tick after start: resolved notices that reached nobody before the restart go again
        this.recovered = true;
        for (const r of this.repo.undeliveredResolved()) {
          this.repo.markNotice(r.notice_id, { ok: false, error: 'no delivery before restart: sent again' });
          retry.push(r.notice);
        }
      }
      return { states: [], events: batch.events, ...this.dispatchAll([...batch.notices, ...retry]) };
    });
  }

  // ------------------------------------------------------------ internals

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The saved states of sites in the inventory (states of removed sites are dropped by setInventory). */
  private knownStates(): Map<string, SiteAlertState> {
    return this.siteStates;
  }

  private ctxFor() {
    const cache = new Map<number, MaintenanceWindow[]>();
    const windows = this.repo.maintenance.list();
    return (site: Site, ts: number) => {
      const minute = Math.floor(ts / 60_000);
      let active = cache.get(minute);
      if (!active) {
        active = windows.filter((w) => isWindowActive(w, ts, this.tz));
        cache.set(minute, active);
      }
      return { settings: this.deps.settings, now: ts, inMaintenance: active.some((w) => windowCovers(w, site)) };
    };
  }

  private area(s: Place): Place {
    return placeOf(s);
  }

  /** Everything a batch changes, in one transaction; returns the notices to dispatch after commit. */
  private apply(result: BatchResult, now: number): Batch {
    const batch: Batch = { now, notices: [], events: [], opened: [] };
    // only the judged sites can have changed: O(batch), not O(inventory)
    const judged = new Set([...result.perCheck.map((p) => p.site), ...result.resettled]);
    const changed: SiteAlertState[] = [];
    for (const id of judged) {
      const st = result.changed.get(id);
      if (st && this.siteStates.get(id) !== st) changed.push(st);
    }
    // written to SQLite: the states a restart would not take for the one written last
    const toSave = changed.filter((st) => {
      const last = this.persisted.get(st.site);
      return last === undefined || !sameForRestart(last, st, this.streakCap);
    });
    const before = this.siteStates; // updated in place only after the transaction commits
    this.repo.transaction(() => {
      for (const { site, effect } of result.effects) this.applyEffect(site, effect, result.view, before, batch);
      this.updateAffected(result.view);
      this.communes(result.view, judged, batch);
      for (const id of batch.opened) {
        const inc = this.repo.getIncident(id)!;
        if (inc.resolved_at === null && inc.notified_at === null && inc.merged_into === null && inc.hold_until === null) {
          this.notifyFiring(inc, batch);
        }
      }
      this.releaseHeld(batch, result.view);
      this.repo.saveSiteStates(toSave, now);
    });
    for (const st of changed) this.siteStates.set(st.site, shareUnchanged(before.get(st.site), st, this.streakCap)); // kept: share unchanged parts
    for (const st of toSave) this.persisted.set(st.site, st);
    return batch;
  }

  private applyEffect(siteId: string, e: Effect, states: StateLookup, before: Map<string, SiteAlertState>, batch: Batch): void {
    const site = this.sitesById.get(siteId)!;
    const area = this.area(site);
    const ev = (type: EventType, ts: number, fields: EventFields) => batch.events.push({ site: siteId, area, ts, type, fields });
    switch (e.type) {
      case 'transition':
        ev('transition', e.ts, { text: e.detail, from_state: e.from, to_state: e.to });
        this.log.info({ site: siteId, from: e.from, to: e.to, detail: e.detail }, 'site state changed');
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
          this.notifyFiring(this.repo.getIncident(inc.id)!, batch);
        }
        return;
      }
      case 'open': {
        const st = states.get(siteId)!;
        const affected = e.kind === 'site-down' ? affectedBy(this.graph, siteId, states) : [];
        // a down site with sites behind it is an upstream outage: one incident, its own runbook
        const kind: AlertKind = e.kind === 'site-down' && affected.length > 0 ? 'upstream-down' : e.kind;
        const inc = this.repo.openIncident({ kind, site_id: siteId, ...area, state: stateForKind(kind, st.state), detail: e.detail, opened_at: e.since, affected });
        // held at most group_wait, released at the end of this batch unless a site of its commune is still failing unconfirmed
        if (e.kind === 'site-down') this.repo.setHold(inc.id, this.groupHold(site, batch.now), null);
        batch.opened.push(inc.id);
        ev('incident_open', e.ts, { text: `${kind}: ${e.detail}`, incident_id: inc.id });
        return;
      }
      case 'resolve': {
        const inc = this.repo.findOpen(e.kind, siteId, area) ?? (e.kind === 'site-down' ? this.repo.findOpen('upstream-down', siteId, area) : null);
        if (!inc) {
          this.log.warn({ site: siteId, kind: e.kind }, 'resolve for an incident that is not open');
          return;
        }
        const done = this.repo.resolveIncident(inc.id, e.ts, e.cause, e.detail)!;
        this.notifyResolved(done, batch);
        ev('incident_resolve', e.ts, { text: `${inc.kind}: ${e.detail}`, incident_id: inc.id, cause: e.cause });
        return;
      }
    }
  }

  /**
   * When a new site-down notice may go out at the latest: `group_wait` from now, or earlier when
   * another site of its commune already waits (it joins that group: one message for both).
   */
  private groupHold(site: Site, now: number): number {
    const key = communeKey(site);
    const waiting = this.repo.openIncidents()
      .filter((i) => i.site_id !== null && i.notified_at === null && i.merged_into === null && i.hold_until !== null && communeKey(i) === key)
      .map((i) => i.hold_until!);
    return Math.min(now + this.groupWaitMs, ...waiting);
  }

  /** A site of this commune failed its last check but is not confirmed DOWN yet (its re-check is on the way). */
  private communePending(key: string, states: StateLookup): boolean {
    return (this.communeSites.get(key) ?? []).some((s) => {
      const st = states.get(s.id) ?? this.siteStates.get(s.id);
      return !!st && st.down.fail > 0 && !st.down.confirmed && st.state !== 'UNREACHABLE' && st.state !== 'MAINTENANCE';
    });
  }

  /**
   * Held site notices go out when their group_wait ends, or as soon as no other site of their
   * commune is failing unconfirmed. The ones of one commune released together are ONE message
   * (the first incident's notice names the others); each incident counts as notified.
   */
  private releaseHeld(batch: Batch, states: StateLookup): void {
    const groups = new Map<string, Incident[]>();
    for (const inc of this.repo.openIncidents()) {
      if (inc.notified_at !== null || inc.merged_into !== null || inc.hold_until === null) continue;
      const key = communeKey(inc);
      const g = groups.get(key) ?? [];
      g.push(inc);
      groups.set(key, g);
    }
    for (const [key, group] of groups) {
      const due = group.filter((i) => i.hold_until! <= batch.now);
      const release = due.length > 0 || !this.communePending(key, states) ? group : [];
      if (release.length === 0) continue;
      release.sort((a, b) => a.opened_at - b.opened_at || a.id - b.id);
      const [first, ...rest] = release;
      for (const r of rest) this.repo.markNotified(r.id, batch.now);
      this.notifyFiring(first!, batch, rest);
    }
  }

  /** Keep each open site-down incident's list of UNREACHABLE descendants (it only grows). */
  private updateAffected(states: StateLookup): void {
    for (const inc of this.repo.openIncidents()) {
      if ((inc.kind !== 'site-down' && inc.kind !== 'upstream-down') || !inc.site_id || !this.graph.children.has(inc.site_id)) continue;
      const now = affectedBy(this.graph, inc.site_id, states);
      const merged = [...new Set([...inc.affected, ...now])];
      if (merged.length !== inc.affected.length) this.repo.setAffected(inc.id, merged);
    }
  }

  /** Commune outages, judged for the communes of the sites this batch judged (the others did not change). */
  private communes(states: StateLookup, judged: ReadonlySet<string>, batch: Batch): void {
    const touched = new Set<string>();
    for (const id of judged) {
      const s = this.sitesById.get(id);
      if (s) touched.add(communeKey(s));
    }
    const views: CommuneSiteView[] = [];
    for (const k of touched) {
      for (const s of this.communeSites.get(k) ?? []) {
        const st = states.get(s.id) ?? this.siteStates.get(s.id);
        views.push({
          id: s.id, ...placeOf(s),
          downSince: st && st.state === 'DOWN' && st.down.confirmed ? st.down.since : null,
          ancestors: this.graph.ancestors.get(s.id) ?? [],
        });
      }
    }
    const openCommune = new Map<string, Incident>();
    for (const inc of this.repo.openIncidents()) {
      // an open commune incident whose commune left the inventory is resolved with the full view
      if (inc.site_id === null && COMMUNE_KINDS.includes(inc.kind) && (touched.has(communeKey(inc)) || !this.communeSites.has(communeKey(inc)))) {
        openCommune.set(communeKey(inc), inc);
      }
    }
    const decision = evaluateCommunes(views, new Map([...openCommune].map(([k, i]) => [k, i.affected])), this.deps.settings);

    for (const o of decision.open) {
      const inc = this.repo.openIncident({ kind: o.kind, site_id: null, ...this.area(o), state: 'DOWN', detail: o.detail, opened_at: o.since, affected: o.sites });
      for (const id of o.sites) this.fold(id, inc.id, o);
      batch.events.push({ site: null, area: this.area(o), ts: batch.now, type: 'incident_open', fields: { text: `${o.kind}: ${o.detail}`, incident_id: inc.id } });
      this.log.warn({ commune: o.commune, province: o.province, sites: o.sites.length, kind: o.kind }, 'commune outage');
      this.notifyFiring(this.repo.getIncident(inc.id)!, batch);
    }
    for (const u of decision.update) {
      const inc = openCommune.get(u.key)!;
      const merged = [...new Set([...inc.affected, ...u.sites])];
      if (merged.length !== inc.affected.length) this.repo.setAffected(inc.id, merged);
      for (const id of u.sites) this.fold(id, inc.id, u);
    }
    for (const k of decision.resolve) {
      const inc = openCommune.get(k)!;
      const cause = this.communeCause(inc);
      const done = this.repo.resolveIncident(inc.id, batch.now, cause, 'the commune\'s sites answer again')!;
      this.notifyResolved(done, batch);
      batch.events.push({ site: null, area: this.area(inc), ts: batch.now, type: 'incident_resolve', fields: { text: `${inc.kind}: resolved`, incident_id: inc.id, cause } });
      // sites of the commune still down on their own: their own alert, now
      for (const open of this.repo.openIncidents()) {
        if (open.merged_into === inc.id) {
          this.repo.setHold(open.id, null, null);
          this.notifyFiring(this.repo.getIncident(open.id)!, batch);
        }
      }
    }
  }

  /**
   * A site's own site-down incident joins the commune incident: one not yet told gets no notice of
   * its own; one already told is named in the commune notice as an update (and stops escalating).
   */
  private fold(siteId: string, communeIncident: number, area: Place): void {
    const own = this.repo.findOpen('site-down', siteId, area) ?? this.repo.findOpen('upstream-down', siteId, area);
    if (own && own.merged_into === null) this.repo.setHold(own.id, null, communeIncident);
  }

  /** Power when most of its sites that came back had rebooted; link when any stayed up; else unknown. */
  private communeCause(inc: Incident): Cause {
    const causes: Cause[] = [];
    for (const id of inc.affected) {
      const rows = this.repo.stmt(`SELECT cause FROM alert_incidents WHERE kind IN ('site-down', 'upstream-down') AND site_id = ? AND resolved_at IS NOT NULL AND opened_at >= ? ORDER BY id DESC LIMIT 1`)
        .get(id, inc.opened_at - parseDuration(this.deps.settings.alerting.commune_outage.window)) as { cause: Cause | null } | undefined;
      if (rows?.cause) causes.push(rows.cause);
    }
    const power = causes.filter((c) => c === 'power').length;
    const link = causes.filter((c) => c === 'link').length;
    if (power > 0 && power >= link) return 'power';
    if (link > 0) return 'link';
    return 'unknown';
  }

  // ------------------------------------------------------------ notices

  private communeKindOf(p: Place): { commune_kind?: CommuneKind } {
    const c = this.communeInfo.get(communeKey(p));
    return c?.kind ? { commune_kind: c.kind } : {};
  }

  private noticeSite(id: string): NoticeSite | null {
    const s = this.sitesById.get(id);
    if (!s) return null;
    return { id: s.id, name: s.name, kind: s.kind, ...placeOf(s), ...(s.village ? { village: s.village } : {}) };
  }

  /** What a notice says about the incidents it speaks for: its group, or a commune incident's folded site incidents. */
  private foldedFor(inc: Incident, event: Notice['event'], group: readonly Incident[]): FoldedIncident[] {
    if (event === 'resolved') return [];
    const list = inc.site_id === null ? this.repo.openIncidents().filter((i) => i.merged_into === inc.id) : group;
    return list.map((i) => ({
      incident_id: i.id, id: i.site_id ?? '', name: (i.site_id && this.sitesById.get(i.site_id)?.name) || (i.site_id ?? i.commune),
      since: i.opened_at, notified_before: i.site_id !== null && inc.site_id === null && i.notified_at !== null,
    }));
  }

  buildNotice(inc: Incident, event: Notice['event'], level: Level, group: readonly Incident[] = []): Notice {
    const site = inc.site_id ? this.sitesById.get(inc.site_id) ?? null : null;
    const lang = this.deps.settings.alerting.default_lang;
    let recipients = recipientsFor(level, inc, site, this.inventory);
    if (level === 'commune' && !site) {
      // a commune incident reaches the keepers of every affected site too
      const extra = inc.affected.flatMap((id) => recipientsFor('commune', inc, this.sitesById.get(id) ?? null, { areas: [] }));
      const seen = new Set(recipients.map((r) => JSON.stringify(r)));
      recipients = [...recipients, ...extra.filter((r) => !seen.has(JSON.stringify(r)) && seen.add(JSON.stringify(r)))];
    }
    const current = inc.site_id ? this.siteStates.get(inc.site_id)?.state : undefined;
    const folded = this.foldedFor(inc, event, group);
    const detail = event === 'resolved' && inc.resolve_detail ? `${inc.detail}; ${inc.resolve_detail}` : inc.detail;
    const links = incidentLinks(this.publicUrl, inc, this.linkKey ? { key: this.linkKey, expiresAt: this.deps.clock.now() + this.linkTtlMs } : null);
    return {
      id: `incident-${inc.id}-${event}-${level}`,
      kind: inc.kind,
      event,
      incident_id: inc.id,
      site: inc.site_id ? this.noticeSite(inc.site_id) : null,
      area: { ...placeOf(inc), ...this.communeKindOf(inc) },
      state: event === 'resolved' ? (current && current !== 'DOWN' && current !== 'UNREACHABLE' ? current : 'UP') : inc.state,
      since: inc.opened_at,
      ...(inc.resolved_at !== null && event === 'resolved' ? { resolved_at: inc.resolved_at } : {}),
      ...(inc.cause ? { cause: inc.cause } : {}),
      detail,
      condition: parseDetail(detail),
      affected: inc.affected.filter((id) => id !== inc.site_id).map((id) => ({ id, name: this.sitesById.get(id)?.name ?? id })),
      ...(folded.length ? { folded } : {}),
      ...links,
      level,
      recipients,
      lang,
    };
  }

  private recordNotice(n: Notice, now: number): Notice {
    this.repo.recordNotice(n, now);
    return n;
  }

  private notifyFiring(inc: Incident, batch: Batch, group: readonly Incident[] = []): void {
    if (inc.notified_at !== null) return;
    this.repo.markNotified(inc.id, batch.now);
    const fresh = this.repo.getIncident(inc.id)!;
    batch.notices.push(this.recordNotice(this.buildNotice(fresh, 'firing', 'commune', group), batch.now));
  }

  /** A resolved notice to every level that heard of the incident; nothing if nobody did. */
  private notifyResolved(inc: Incident, batch: Batch): void {
    if (inc.notified_at === null) return;
    for (const level of ['commune', ...inc.escalated] as Level[]) {
      batch.notices.push(this.recordNotice(this.buildNotice(inc, 'resolved', level), batch.now));
    }
  }

  async drain(): Promise<void> {
    while (this.inFlightDone.size) await Promise.all([...this.inFlightDone]);
  }

  /** Hand notices to the dispatcher in the background; each outcome is marked in SQLite. */
  private dispatchAll(notices: readonly Notice[]): Pick<EngineOutput, 'notices' | 'delivery'> {
    const todo = notices.filter((n) => !this.inFlight.has(n.id) && this.repo.getNotice(n.id)?.status !== 'dispatched');
    const one = async (n: Notice): Promise<DispatchOutcome> => {
      let outcome: DispatchOutcome;
      try {
        await this.deps.dispatcher.dispatch(n);
        outcome = { id: n.id, ok: true };
      } catch (err) {
        outcome = { id: n.id, ok: false, error: errorMessage(err) };
        this.log.warn({ notice: n.id, incident: n.incident_id, error: outcome.error }, 'notice dispatch failed; retried on the next tick');
      }
      try {
        this.repo.markNotice(n.id, outcome.ok ? { ok: true, at: this.deps.clock.now() } : { ok: false, error: outcome.error! });
      } catch (err) {
        // the database closed under us (stop without drain): the notice stays 'pending' and is sent again after restart
        this.log.error({ notice: n.id, err: errorMessage(err) }, 'could not record the dispatch outcome');
      } finally {
        this.inFlight.delete(n.id);
      }
      return outcome;
    };
    for (const n of todo) this.inFlight.add(n.id);
    const delivery = Promise.all(todo.map(one));
    this.inFlightDone.add(delivery);
    void delivery.finally(() => this.inFlightDone.delete(delivery));
    return { notices: todo.map((n) => n.id), delivery };
  }
}
