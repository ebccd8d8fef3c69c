/**
 * What a user may see and do, shared by the JSON API (src/api/routes/) and the web pages
 * (src/web/). Every function takes the authenticated principal first, filters by its scope
 * (outside → 404, as if it did not exist) and checks its role (inside but not allowed → 403).
 * Never returns SNMP communities or keys: sites leave here through `publicSite`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Site } from '../config/schema.js';
import { InputError } from '../core/errors.js';
import { areaCovers, communeKey, communeRefMatches, createPlaceResolver, groupRefMatches, placeOf, type Place } from '../inventory/places.js';
import { Nullable } from '../core/schema.js';
import { STATE_CODE, type SiteStateName } from '../store/schema.js';
import { Incident, IncidentOutcome, RunbookStepRecord } from '../alerting/incidents.js';
import { MaintenanceWindow } from '../alerting/maintenance.js';
import { LiveSiteState } from '../alerting/engine.js';
import { AuditEntry } from './auth/store.js';
import { LatestMeasurements, RunbookView } from './adapters.js';
import type { ApiDeps, CoverageGroup, CoverageReport, HistoryKind, LiveState, Series } from './deps.js';
import { ApiError, badRequest, conflict, forbidden, notFound, unavailable } from './errors.js';
import type { AuthStore } from './auth/store.js';
import { can, inScope, scopeWithHistory, type Action, type Principal } from './auth/scope.js';
import { fillPlaceholders, runbookVars } from '../runbooks/load.js';
import { resolveContacts } from '../alerting/contacts.js';
import type { Lang } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { LINK_ACTOR } from '../alerting/links.js';

/**
 * Who acts on an incident: a signed-in user (page session or API token), or whoever holds a
 * notice's signed link to THAT incident (the route has verified the token; `name` is what they typed).
 */
export type Actor =
  | { kind: 'user'; user: Principal; via: 'session' | 'token' }
  | { kind: 'link'; incident: number; name: string | null };

/** The outcome form: each text field trimmed, `parts` optional. */
export interface OutcomeInput {
  cause_found: string;
  actions: string;
  parts: string | null;
}

// What the Service answers, declared once as schemas: the API routes serialize through them.

const { snmp: _secretBearing, ...siteFields } = Site.properties;
/** A site as any endpoint may show it: `snmp` reduced to its version (never a community or key). */
export const PublicSite = Type.Object({
  ...siteFields,
  snmp: Type.Union([Type.Literal(false), Type.Object({ version: Type.String() })], { description: 'false for a ping-only site; only the version ever leaves the server' }),
});
export type PublicSite = Static<typeof PublicSite>;

export const SiteStatus = Type.Object({ site: PublicSite, state: LiveSiteState });
export type SiteStatus = Static<typeof SiteStatus>;

export const SiteDetail = Type.Object({ site: PublicSite, state: LiveSiteState, latest: Nullable(LatestMeasurements) });

/** A page of a list. */
export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const IncidentDetail = Type.Object({
  incident: Incident,
  outcome: Nullable(IncidentOutcome), // the latest outcome written (cause found, what was done, parts replaced)
  editable_until: Nullable(Type.Number({ description: 'until when (epoch ms) it can still be acknowledged, its steps ticked and its outcome written; null while open' })),
  steps: Type.Array(RunbookStepRecord, { description: 'the latest record per step' }),
  history: Type.Array(RunbookStepRecord, { description: 'every tick and untick, oldest first: who did what when (the training record)' }),
  runbook: Nullable(RunbookView),
});
export type IncidentDetail = Static<typeof IncidentDetail>;

export const MaintenanceItem = Type.Composite([MaintenanceWindow, Type.Object({ can_delete: Type.Boolean({ description: 'the caller may delete it (every site it covers is in scope)' }) })]);

export const RunbookSummary = Type.Object({ lang: Type.String(), kind: Type.String(), title: Type.String(), steps: Type.Integer({ description: 'number of steps' }) });
export type RunbookSummary = Static<typeof RunbookSummary>;

export const ReloadResult = Type.Object({ sites: Type.Integer({ description: 'sites in the inventory now' }) });

export const AuditPage = Page(AuditEntry);

const UNKNOWN_STATE = (since: number): LiveState => ({ state: 'UNKNOWN', since, detail: 'no check yet' });

/** A site as any endpoint may show it: `snmp` reduced to its version. */
export function publicSite(s: Site): PublicSite {
  const { snmp, ...rest } = s;
  return { ...rest, snmp: snmp === false ? false : { version: snmp.version } };
}

export function incidentArea(i: Incident): Place {
  return placeOf(i);
}

/** The list filters: province exact; commune and group by name or `Province/Name`. */
function placeMatches(s: Site, q: { province?: string; group?: string; commune?: string }): boolean {
  return (!q.province || s.province === q.province) && (!q.group || groupRefMatches(q.group, s)) && (!q.commune || communeRefMatches(q.commune, s));
}

/** Worst state first, then longest in that state, then name. */
export function worstFirst(a: SiteStatus, b: SiteStatus): number {
  return STATE_CODE[b.state.state] - STATE_CODE[a.state.state] || a.state.since - b.state.since || a.site.name.localeCompare(b.site.name);
}

export class Service {
  constructor(
    readonly deps: ApiDeps,
    readonly auth: AuthStore,
  ) {}

  private require(user: Principal, action: Action): void {
    if (!can(user, action)) throw forbidden(`the ${user.role} role may not ${action}`);
  }

  /** The user's scope with merged communes followed, worked out once per user and inventory. */
  private readonly scopes = new WeakMap<Principal, { inv: object; p: Principal }>();
  private inScope(user: Principal, area: Place): boolean {
    if (user.role === 'admin') return true;
    const inv = this.deps.inventory();
    let c = this.scopes.get(user);
    if (!c || c.inv !== inv) {
      const formers = new Map((inv.communes ?? []).map((x) => [communeKey({ province: x.province, commune: x.name }), x.former_names.map((f) => f.name)]));
      c = { inv, p: { ...user, scope: scopeWithHistory(user.scope, createPlaceResolver(inv.sites, inv.communes), formers) } };
      this.scopes.set(user, c);
    }
    return inScope(c.p, area);
  }

  visibleSites(user: Principal): Site[] {
    return this.deps.inventory().sites.filter((s) => this.inScope(user, s));
  }

  private siteOr404(user: Principal, id: string): Site {
    const s = this.deps.inventory().sites.find((x) => x.id === id);
    if (!s || !this.inScope(user, s)) throw notFound(`site ${id}`, 'id');
    return s;
  }

  private stateOf(id: string, states: Map<string, LiveState>): LiveState {
    return states.get(id) ?? UNKNOWN_STATE(this.deps.clock.now());
  }

  // ------------------------------------------------------------ sites

  listSites(
    user: Principal,
    q: { province?: string; group?: string; commune?: string; state?: SiteStateName; limit: number; offset: number; sort?: 'id' | 'worst' },
  ): Page<SiteStatus> {
    const states = this.deps.live.states();
    const all = this.visibleSites(user)
      .filter((s) => placeMatches(s, q))
      .map((s) => ({ site: publicSite(s), state: this.stateOf(s.id, states) }))
      .filter((x) => !q.state || x.state.state === q.state);
    all.sort(q.sort === 'worst' ? worstFirst : (a, b) => a.site.id.localeCompare(b.site.id));
    return { items: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset };
  }

  siteDetail(user: Principal, id: string): Static<typeof SiteDetail> {
    const s = this.siteOr404(user, id);
    return { site: publicSite(s), state: this.stateOf(s.id, this.deps.live.states()), latest: this.deps.live.latest(s.id) };
  }

  async siteHistory(user: Principal, id: string, from: number, to: number, what: HistoryKind): Promise<Series> {
    this.siteOr404(user, id);
    checkSpan(from, to, 400);
    try {
      return await this.deps.history.siteHistory(id, from, to, what);
    } catch (err) {
      this.deps.logger.warn({ err, site: id, what }, 'history read failed');
      throw unavailable('the time-series store is not answering; try again later');
    }
  }

  // ------------------------------------------------------------ incidents

  private async incidentOr404(user: Principal, id: number): Promise<Incident> {
    const i = await this.deps.incidents.getIncident(id);
    if (!i || !this.inScope(user, incidentArea(i))) throw notFound(`incident ${id}`, 'id');
    return i;
  }

  async listIncidents(user: Principal, q: { status: 'open' | 'all'; limit: number; offset: number }): Promise<Page<Incident>> {
    const all = (await this.deps.incidents.listIncidents({ includeResolved: q.status === 'all' }))
      .filter((i) => this.inScope(user, incidentArea(i)) && (q.status === 'all' || i.resolved_at === null));
    // Open first (newest first), then resolved (most recently resolved first).
    all.sort((a, b) => (a.resolved_at === null ? 0 : 1) - (b.resolved_at === null ? 0 : 1) || (b.resolved_at ?? b.opened_at) - (a.resolved_at ?? a.opened_at) || b.id - a.id);
    return { items: all.slice(q.offset, q.offset + q.limit), total: all.length, limit: q.limit, offset: q.offset };
  }

  runbookFor(kind: string, lang: string): RunbookView | null {
    const books = this.deps.runbooks.runbooks();
    return books.get(lang)?.get(kind) ?? books.get(this.deps.settings.alerting.default_lang)?.get(kind) ?? null;
  }

  async incidentDetail(user: Principal, id: number, lang: string): Promise<IncidentDetail> {
    return this.detailOf(await this.incidentOr404(user, id), lang);
  }

  /** The same detail for a signed link: the route verified that the token names this incident. */
  async linkIncidentDetail(id: number, lang: string): Promise<IncidentDetail> {
    const i = await this.deps.incidents.getIncident(id);
    if (!i) throw notFound(`incident ${id}`, 'id');
    return this.detailOf(i, lang);
  }

  private async detailOf(incident: Incident, lang: string): Promise<IncidentDetail> {
    const id = incident.id;
    const steps = await this.deps.incidents.steps(id);
    const history = (await this.deps.incidents.stepHistory?.(id)) ?? steps;
    const book = this.runbookFor(incident.kind, lang);
    const outcome = await this.deps.incidents.outcome(id);
    return { incident, outcome, editable_until: this.editableUntil(incident), steps, history, runbook: book ? this.fillRunbook(book, incident) : null };
  }

  /** null while open; after recovery, the end of the grace period for the trainee's record. */
  editableUntil(i: Incident): number | null {
    return i.resolved_at === null ? null : i.resolved_at + parseDuration(this.deps.settings.alerting.outcome_grace);
  }

  private checkEditable(i: Incident): void {
    const until = this.editableUntil(i);
    if (until !== null && this.deps.clock.now() > until) {
      throw conflict(`incident ${i.id} was resolved more than ${this.deps.settings.alerting.outcome_grace} ago: it can no longer be changed`);
    }
  }

  /** The incident an actor may act on (scope + role for users; the link's own incident for links), or 404/403. */
  private async actOn(actor: Actor, id: number, action: Action): Promise<Incident> {
    if (actor.kind === 'user') {
      const i = await this.incidentOr404(actor.user, id);
      this.require(actor.user, action);
      return i;
    }
    const i = actor.incident === id ? await this.deps.incidents.getIncident(id) : null;
    if (!i) throw notFound(`incident ${id}`, 'id');
    return i;
  }

  /** The name stored on the record, and the audit log's user and detail prefix. */
  private who(actor: Actor): { by: string; auditUser: string; via: IncidentOutcome['via']; prefix: string } {
    if (actor.kind === 'user') return { by: actor.user.name, auditUser: actor.user.name, via: actor.via, prefix: '' };
    const by = actor.name ? `${actor.name} (${LINK_ACTOR})` : LINK_ACTOR;
    return { by, auditUser: by, via: 'link', prefix: `via signed link, incident ${actor.incident}` };
  }

  /** The runbook with {{site}}, {{commune}} and the contacts of this incident filled in (resolveContacts: never someone else's number). */
  private fillRunbook(book: RunbookView, i: Incident): RunbookView {
    const inv = this.deps.inventory();
    const site = i.site_id ? inv.sites.find((s) => s.id === i.site_id) : undefined;
    // a commune incident: the key holder of one of its dark sites is the one to call first
    const atSite = site ?? inv.sites.find((s) => i.affected.includes(s.id)) ?? null;
    const contacts = resolveContacts(atSite, placeOf(i), inv, this.deps.settings);
    const vars = runbookVars({ site: site?.name, commune: i.commune, contacts }, book.lang as Lang);
    const f = (text: string) => fillPlaceholders(text, vars, book.lang as Lang);
    const sec = (s: { heading: string; body: string }) => ({ heading: s.heading, body: f(s.body) });
    return { ...book, sections: book.sections.map(sec), steps: book.steps.map(f), ...(book.after ? { after: book.after.map(sec) } : {}) };
  }

  /** Also after recovery, within `alerting.outcome_grace` (the trainee often arrives after the power is back). */
  async acknowledge(who: Principal | Actor, id: number, note: string | null): Promise<Incident> {
    const actor = toActor(who);
    const i = await this.actOn(actor, id, 'acknowledge');
    this.checkEditable(i);
    if (i.acknowledged_at !== null) throw conflict(`incident ${id} was already acknowledged by ${i.acknowledged_by}`);
    const w = this.who(actor);
    await this.deps.incidents.acknowledge(id, w.by, note, this.deps.clock.now());
    this.auth.audit(w.auditUser, 'incident.acknowledge', `incident:${id}`, joinDetail(w.prefix, note));
    return (await this.deps.incidents.getIncident(id))!;
  }

  async recordStep(who: Principal | Actor, id: number, step: number, done: boolean, note: string | null): Promise<RunbookStepRecord[]> {
    return this.recordSteps(who, id, [{ step, done, note }]);
  }

  /** Several steps at once (the page's one checklist form); each change is its own record. */
  async recordSteps(who: Principal | Actor, id: number, changes: ReadonlyArray<{ step: number; done: boolean; note: string | null }>): Promise<RunbookStepRecord[]> {
    const actor = toActor(who);
    const i = await this.actOn(actor, id, 'runbook');
    this.checkEditable(i);
    const book = this.runbookFor(i.kind, this.deps.settings.alerting.default_lang);
    for (const c of changes) {
      if (c.step < 1 || (book && c.step > book.steps.length)) throw badRequest(`step must be between 1 and ${book?.steps.length ?? 'the last step'} for a ${i.kind} runbook`, 'step');
    }
    const w = this.who(actor);
    for (const c of changes) {
      await this.deps.incidents.recordStep(id, { step: c.step, done: c.done, by: w.by, at: this.deps.clock.now(), note: c.note });
      this.auth.audit(w.auditUser, c.done ? 'runbook.step_done' : 'runbook.step_undone', `incident:${id}`, joinDetail(w.prefix, `step ${c.step}${c.note ? `: ${c.note}` : ''}`));
    }
    return this.deps.incidents.steps(id);
  }

  /** What happened (open, or resolved within the grace period); writing again replaces the shown outcome. */
  async recordOutcome(who: Principal | Actor, id: number, input: OutcomeInput): Promise<IncidentOutcome> {
    const actor = toActor(who);
    const i = await this.actOn(actor, id, 'runbook');
    this.checkEditable(i);
    const o = { cause_found: input.cause_found.trim(), actions: input.actions.trim(), parts: input.parts?.trim() || null };
    if (!o.cause_found) throw badRequest('cause_found: say what caused it (or that it is still unknown)', 'cause_found');
    if (!o.actions) throw badRequest('actions: say what was done', 'actions');
    const w = this.who(actor);
    const rec: IncidentOutcome = { ...o, by: w.by, via: w.via, at: this.deps.clock.now() };
    await this.deps.incidents.recordOutcome(id, rec);
    this.auth.audit(w.auditUser, 'incident.outcome', `incident:${id}`, joinDetail(w.prefix, `cause found: ${o.cause_found}; done: ${o.actions}${o.parts ? `; parts: ${o.parts}` : ''}`));
    return rec;
  }

  // ------------------------------------------------------------ maintenance

  /** The sites a maintenance target covers, or null when it names nothing. */
  private expand(w: { sites: string[]; communes: string[]; groups: string[] }): { sites: Site[]; missing: { field: string; name: string } | null } {
    const inv = this.deps.inventory().sites;
    const out = new Map<string, Site>();
    const pick = (field: 'sites' | 'communes' | 'groups', names: string[], match: (s: Site, n: string) => boolean) => {
      for (const n of names) {
        const hit = inv.filter((s) => match(s, n));
        if (hit.length === 0) return { field, name: n };
        for (const s of hit) out.set(s.id, s);
      }
      return null;
    };
    const missing =
      pick('sites', w.sites, (s, n) => s.id === n) ??
      pick('communes', w.communes, (s, n) => communeRefMatches(n, s)) ??
      pick('groups', w.groups, (s, n) => groupRefMatches(n, s));
    return { sites: [...out.values()], missing };
  }

  async listMaintenance(user: Principal): Promise<Array<MaintenanceWindow & { can_delete: boolean }>> {
    const all = await this.deps.incidents.listMaintenance();
    const out = [];
    for (const w of all) {
      const { sites } = this.expand(w);
      const inside = sites.filter((s) => this.inScope(user, s));
      if (user.role !== 'admin' && inside.length === 0) continue;
      out.push({ ...w, can_delete: can(user, 'maintenance') && inside.length === sites.length });
    }
    return out.sort((a, b) => a.start - b.start || a.id - b.id);
  }

  async createMaintenance(
    user: Principal,
    input: { sites?: string[]; communes?: string[]; groups?: string[]; start: number; end: number; reason: string },
  ): Promise<MaintenanceWindow> {
    // a commune by its current or former name is stored by its key (province + current name)
    const resolver = createPlaceResolver(this.deps.inventory().sites, this.deps.inventory().communes);
    const communes = (input.communes ?? []).map((c) => { const r = resolver.commune(c); return r.ok ? communeKey(r.place) : c; });
    const w = { sites: input.sites ?? [], communes, groups: input.groups ?? [] };
    if (w.sites.length + w.communes.length + w.groups.length === 0) throw badRequest('name at least one of sites, communes, groups', 'sites');
    if (!(input.end > input.start)) throw badRequest('end must be after start', 'end');
    checkSpan(input.start, input.end, 366);
    const { sites, missing } = this.expand(w);
    if (missing) throw notFound(`${missing.field.replace(/s$/, '')} ${missing.name}`, missing.field);
    const outside = sites.find((s) => !this.inScope(user, s));
    if (outside) {
      // Name the target the user gave, never a site it cannot see.
      const field = w.groups.length ? 'groups' : w.communes.length ? 'communes' : 'sites';
      throw notFound(`${field.replace(/s$/, '')} ${(w[field] as string[]).join(', ')}`, field);
    }
    this.require(user, 'maintenance');
    const created = await this.deps.incidents.createMaintenance({ ...w, start: input.start, end: input.end, reason: input.reason, created_by: user.name }, this.deps.clock.now());
    this.auth.audit(user.name, 'maintenance.create', `maintenance:${created.id}`, JSON.stringify({ ...w, start: new Date(input.start).toISOString(), end: new Date(input.end).toISOString(), reason: input.reason }));
    return created;
  }

  async deleteMaintenance(user: Principal, id: number): Promise<void> {
    const w = (await this.deps.incidents.listMaintenance()).find((x) => x.id === id);
    const sites = w ? this.expand(w).sites : [];
    const inside = sites.filter((s) => this.inScope(user, s));
    if (!w || (user.role !== 'admin' && inside.length === 0)) throw notFound(`maintenance window ${id}`, 'id');
    this.require(user, 'maintenance');
    if (inside.length !== sites.length) throw forbidden('this window also covers sites outside your scope');
    await this.deps.incidents.deleteMaintenance(id);
    this.auth.audit(user.name, 'maintenance.delete', `maintenance:${id}`, w.reason);
  }

  // ------------------------------------------------------------ runbooks

  listRunbooks(): RunbookSummary[] {
    const out = [];
    for (const [lang, byKind] of this.deps.runbooks.runbooks()) {
      for (const [kind, b] of byKind) out.push({ lang, kind, title: b.title, steps: b.steps.length });
    }
    return out.sort((a, b) => a.lang.localeCompare(b.lang) || a.kind.localeCompare(b.kind));
  }

  getRunbook(lang: string, kind: string): RunbookView {
    const b = this.deps.runbooks.runbooks().get(lang)?.get(kind);
    if (!b) throw notFound(`runbook ${lang}/${kind}`, 'kind');
    return b;
  }

  // ------------------------------------------------------------ coverage

  async coverage(
    user: Principal,
    q: { from: number; to: number; province?: string; group?: string; commune?: string; group_by: CoverageGroup },
  ): Promise<CoverageReport> {
    if (!(q.to > q.from)) throw badRequest('to must be after from', 'to');
    checkSpan(q.from, q.to, 400);
    const sites = this.visibleSites(user).filter((s) => placeMatches(s, q));
    if (sites.length === 0) {
      const field = q.commune ? 'commune' : q.group ? 'group' : q.province ? 'province' : undefined;
      throw notFound(field ? `${field} ${q[field]}` : 'sites in your scope', field);
    }
    try {
      return await this.deps.coverage({ from: q.from, to: q.to, group_by: q.group_by, sites: sites.map((s) => s.id) });
    } catch (err) {
      if (err instanceof ApiError || err instanceof InputError) throw err;
      this.deps.logger.warn({ err }, 'coverage report failed');
      throw unavailable('the coverage report could not be computed (is the time-series store up?)');
    }
  }

  // ------------------------------------------------------------ admin

  async reloadInventory(user: Principal): Promise<{ sites: number }> {
    this.require(user, 'reload');
    try {
      const inv = await this.deps.reloadInventory();
      this.auth.audit(user.name, 'inventory.reload', 'inventory', `${inv.sites.length} sites`);
      return { sites: inv.sites.length };
    } catch (err) {
      this.auth.audit(user.name, 'inventory.reload_failed', 'inventory', err instanceof Error ? err.message : String(err));
      if (err instanceof InputError) throw new ApiError(400, 'invalid_inventory', err.problems.join('\n'));
      throw err;
    }
  }

  auditLog(user: Principal, limit: number, offset: number) {
    this.require(user, 'audit');
    return { ...this.auth.auditLog(limit, offset), limit, offset };
  }
}

function toActor(who: Principal | Actor): Actor {
  return 'kind' in who ? who : { kind: 'user', user: who, via: 'token' };
}

function joinDetail(prefix: string, detail: string | null): string | null {
  if (!prefix) return detail;
  return detail ? `${prefix}: ${detail}` : prefix;
}

function checkSpan(from: number, to: number, maxDays: number): void {
  if (!(to > from)) throw badRequest('to must be after from', 'to');
  if (to - from > maxDays * 86_400_000) throw badRequest(`the span may be at most ${maxDays} days`, 'from');
}
