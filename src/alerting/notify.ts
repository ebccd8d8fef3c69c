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

/** What a notice says about the incidents it speaks for: its group, or a commune incident's folded site incidents. */
function foldedFor(ctx: EngineContext, inc: Incident, event: Notice['event'], group: readonly Incident[]): FoldedIncident[] {
  if (event === 'resolved') return [];
  const { sitesById } = ctx.fleet;
  const list = inc.site_id === null ? ctx.repo.openIncidents().filter((i) => i.merged_into === inc.id) : group;
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

/** A resolved notice to every level that heard of the incident; nothing if nobody did. */
export function notifyResolved(ctx: EngineContext, inc: Incident, batch: Batch): void {
  if (inc.notified_at === null) return;
  for (const level of ['commune', ...inc.escalated] as Level[]) {
    queueNotice(ctx, buildNotice(ctx, inc, 'resolved', level), batch);
  }
}
