/**
 * Building the engine's Notices and recording them. buildNotice turns an incident into what
 * the notifiers say (who to reach at a level, the folded incidents it speaks for, the signed
 * links); notifyFiring and notifyResolved decide whether an incident's notice goes out at all
 * and record it as 'pending' in the batch's transaction (the at-least-once rule in engine.ts).
 * Kept apart from the engine's batch loop: this is the one place that says what a message
 * carries.
 */
import type { CommuneKind, Level } from '../config/schema.js';
import { communeKey } from './commune.js';
import { placeOf, type Place } from '../inventory/places.js';
import { parseDetail } from './condition.js';
import type { Batch, EngineContext } from './engine-context.js';
import { recipientsFor } from './escalation.js';
import type { Incident } from './incidents.js';
import { incidentLinks } from './links.js';
import type { FoldedIncident, Notice, NoticeSite } from './notice.js';

function communeKindOf(ctx: EngineContext, p: Place): { commune_kind?: CommuneKind } {
  const c = ctx.fleet.communeInfo.get(communeKey(p));
  return c?.kind ? { commune_kind: c.kind } : {};
}

function noticeSite(ctx: EngineContext, id: string): NoticeSite | null {
  const s = ctx.fleet.sitesById.get(id);
  if (!s) return null;
  return { id: s.id, name: s.name, kind: s.kind, ...placeOf(s), ...(s.village ? { village: s.village } : {}) };
}

/**
 * What a notice says about the incidents it speaks for: its group, or a commune incident's folded
 * site incidents (on its resolved notice, the ones that recovered while folded: it resolves them).
 */
function foldedFor(ctx: EngineContext, inc: Incident, event: Notice['event'], group: readonly Incident[]): FoldedIncident[] {
  const { sitesById } = ctx.fleet;
  const list = inc.site_id !== null ? (event === 'resolved' ? [] : group)
    : event === 'resolved' ? ctx.repo.foldedInto(inc.id).filter((i) => i.resolved_at !== null)
    : ctx.repo.openIncidents().filter((i) => i.merged_into === inc.id);
  return list.map((i) => ({
    incident_id: i.id, id: i.site_id ?? '', name: (i.site_id && sitesById.get(i.site_id)?.name) || (i.site_id ?? i.commune),
    since: i.opened_at, notified_before: i.site_id !== null && inc.site_id === null && i.notified_at !== null,
  }));
}

export function buildNotice(ctx: EngineContext, inc: Incident, event: Notice['event'], level: Level, group: readonly Incident[] = []): Notice {
  const { sitesById, inventory } = ctx.fleet;
  const site = inc.site_id ? sitesById.get(inc.site_id) ?? null : null;
  const lang = ctx.settings.alerting.default_lang;
  let recipients = recipientsFor(level, inc, site, inventory);
  if (level === 'commune' && !site) {
    // a commune incident reaches the keepers of every affected site too
    const extra = inc.affected.flatMap((id) => recipientsFor('commune', inc, sitesById.get(id) ?? null, { areas: [] }));
    const seen = new Set(recipients.map((r) => JSON.stringify(r)));
    recipients = [...recipients, ...extra.filter((r) => !seen.has(JSON.stringify(r)) && seen.add(JSON.stringify(r)))];
  }
  const current = inc.site_id ? ctx.siteStates.get(inc.site_id)?.state : undefined;
  const folded = foldedFor(ctx, inc, event, group);
  const detail = event === 'resolved' && inc.resolve_detail ? `${inc.detail}; ${inc.resolve_detail}` : inc.detail;
  const { publicUrl, key, ttlMs } = ctx.links;
  const links = incidentLinks(publicUrl, inc, key ? { key, expiresAt: ctx.clock.now() + ttlMs } : null);
  return {
    id: `incident-${inc.id}-${event}-${level}`,
    kind: inc.kind,
    event,
    incident_id: inc.id,
    site: inc.site_id ? noticeSite(ctx, inc.site_id) : null,
    area: { ...placeOf(inc), ...communeKindOf(ctx, inc) },
    state: event === 'resolved' ? (current && current !== 'DOWN' && current !== 'UNREACHABLE' ? current : 'UP') : inc.state,
    since: inc.opened_at,
    ...(inc.resolved_at !== null && event === 'resolved' ? { resolved_at: inc.resolved_at } : {}),
    ...(inc.cause ? { cause: inc.cause } : {}),
    detail,
    condition: parseDetail(detail),
    affected: inc.affected.filter((id) => id !== inc.site_id).map((id) => ({ id, name: sitesById.get(id)?.name ?? id })),
    ...(folded.length ? { folded } : {}),
    ...links,
    level,
    recipients,
    lang,
  };
}

/** Record the notice as 'pending' in the batch and queue it for dispatch after commit. */
export function queueNotice(ctx: EngineContext, n: Notice, batch: Batch): void {
  ctx.repo.recordNotice(n, batch.now);
  batch.notices.push(n);
}

/** The first firing notice, at the commune level; nothing if the incident was already told. */
export function notifyFiring(ctx: EngineContext, inc: Incident, batch: Batch, group: readonly Incident[] = []): void {
  if (inc.notified_at !== null) return;
  ctx.repo.markNotified(inc.id, batch.now);
  const fresh = ctx.repo.getIncident(inc.id)!;
  queueNotice(ctx, buildNotice(ctx, fresh, 'firing', 'commune', group), batch);
}

/**
 * A resolved notice to every level that heard of the incident; nothing if nobody did. A site
 * incident folded into an open commune incident that was told sends none of its own: the commune
 * incident's resolved notice speaks for it (names it in `folded`), as its firing notice did.
 */
export function notifyResolved(ctx: EngineContext, inc: Incident, batch: Batch): void {
  if (inc.notified_at === null) return;
  const into = inc.merged_into !== null ? ctx.repo.getIncident(inc.merged_into) : null;
  if (into && into.notified_at !== null && into.resolved_at === null) return;
  for (const level of resolvedLevels(ctx, inc)) {
    queueNotice(ctx, buildNotice(ctx, inc, 'resolved', level), batch);
  }
}

/** The levels told of the incident; for a commune incident also those a site incident it resolves had escalated to before the fold. */
function resolvedLevels(ctx: EngineContext, inc: Incident): Level[] {
  const levels: Level[] = ['commune', ...inc.escalated];
  if (inc.site_id !== null) return levels;
  for (const f of ctx.repo.foldedInto(inc.id)) {
    if (f.notified_at === null || f.resolved_at === null) continue;
    for (const l of f.escalated) if (!levels.includes(l)) levels.push(l);
  }
  return levels;
}
