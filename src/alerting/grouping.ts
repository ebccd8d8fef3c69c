/**
 * One message per commune: the grouping wait and the commune incidents. A new site-down notice
 * is held at most `alerting.group_wait`, and only while another site of its commune is failing
 * unconfirmed; the ones released together are one message. When the commune rule holds
 * (commune.ts, pure), one commune incident opens and folds the site incidents of its sites:
 * one not yet told sends nothing of its own, one already told is named in the commune notice as
 * an update and stops escalating. This is the stateful half of commune.ts, run inside the
 * engine's transaction.
 */
import type { Site } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import { communeKey, evaluateCommunes, type CommuneSiteView } from './commune.js';
import type { Batch, EngineContext } from './engine-context.js';
import { placeOf, type Place } from '../inventory/places.js';
import type { StateLookup } from './dependencies.js';
import type { Incident } from './incidents.js';
import type { AlertKind, Cause } from './notice.js';
import { notifyFiring, notifyResolved } from './notify.js';

const COMMUNE_KINDS: readonly AlertKind[] = ['power-cut-suspected', 'upstream-down'];

/**
 * When a new site-down notice may go out at the latest: `group_wait` from now, or earlier when
 * another site of its commune already waits (it joins that group: one message for both).
 */
export function groupHold(ctx: EngineContext, site: Site, now: number): number {
  const key = communeKey(site);
  const waiting = ctx.repo.openIncidents()
    .filter((i) => i.site_id !== null && i.notified_at === null && i.merged_into === null && i.hold_until !== null && communeKey(i) === key)
    .map((i) => i.hold_until!);
  return Math.min(now + ctx.groupWaitMs, ...waiting);
}

/** A site of this commune failed its last check but is not confirmed DOWN yet (its re-check is on the way). */
function communePending(ctx: EngineContext, key: string, states: StateLookup): boolean {
  return (ctx.fleet.communeSites.get(key) ?? []).some((s) => {
    const st = states.get(s.id) ?? ctx.siteStates.get(s.id);
    return !!st && st.down.fail > 0 && !st.down.confirmed && st.state !== 'UNREACHABLE' && st.state !== 'MAINTENANCE';
  });
}

/**
 * Held site notices go out when their group_wait ends, or as soon as no other site of their
 * commune is failing unconfirmed. The ones of one commune released together are ONE message
 * (the first incident's notice names the others); each incident counts as notified.
 */
export function releaseHeld(ctx: EngineContext, batch: Batch, states: StateLookup): void {
  const groups = new Map<string, Incident[]>();
  for (const inc of ctx.repo.openIncidents()) {
    if (inc.notified_at !== null || inc.merged_into !== null || inc.hold_until === null) continue;
    const key = communeKey(inc);
    const g = groups.get(key) ?? [];
    g.push(inc);
    groups.set(key, g);
  }
  for (const [key, group] of groups) {
    const due = group.filter((i) => i.hold_until! <= batch.now);
    const release = due.length > 0 || !communePending(ctx, key, states) ? group : [];
    if (release.length === 0) continue;
    release.sort((a, b) => a.opened_at - b.opened_at || a.id - b.id);
    const [first, ...rest] = release;
    for (const r of rest) ctx.repo.markNotified(r.id, batch.now);
    notifyFiring(ctx, first!, batch, rest);
  }
}

/** Commune outages, judged for the communes of the sites this batch judged (the others did not change). */
export function judgeCommunes(ctx: EngineContext, states: StateLookup, judged: ReadonlySet<string>, batch: Batch): void {
  const { repo, fleet } = ctx;
  const touched = new Set<string>();
  for (const id of judged) {
    const s = fleet.sitesById.get(id);
    if (s) touched.add(communeKey(s));
  }
  const views: CommuneSiteView[] = [];
  for (const k of touched) {
    for (const s of fleet.communeSites.get(k) ?? []) {
      const st = states.get(s.id) ?? ctx.siteStates.get(s.id);
      views.push({
        id: s.id, ...placeOf(s),
        downSince: st && st.state === 'DOWN' && st.down.confirmed ? st.down.since : null,
        ancestors: fleet.graph.ancestors.get(s.id) ?? [],
      });
    }
  }
  const openCommune = new Map<string, Incident>();
  for (const inc of repo.openIncidents()) {
    // an open commune incident whose commune left the inventory is resolved with the full view
    if (inc.site_id === null && COMMUNE_KINDS.includes(inc.kind) && (touched.has(communeKey(inc)) || !fleet.communeSites.has(communeKey(inc)))) {
      openCommune.set(communeKey(inc), inc);
    }
  }
  const decision = evaluateCommunes(views, new Map([...openCommune].map(([k, i]) => [k, i.affected])), ctx.settings);

  for (const o of decision.open) {
    const inc = repo.openIncident({ kind: o.kind, site_id: null, ...placeOf(o), state: 'DOWN', detail: o.detail, opened_at: o.since, affected: o.sites });
    for (const id of o.sites) fold(ctx, id, inc.id, o);
    batch.events.push({ site: null, area: placeOf(o), ts: batch.now, type: 'incident_open', fields: { text: `${o.kind}: ${o.detail}`, incident_id: inc.id } });
    ctx.log.warn({ commune: o.commune, province: o.province, sites: o.sites.length, kind: o.kind }, 'commune outage');
    notifyFiring(ctx, repo.getIncident(inc.id)!, batch);
  }
  for (const u of decision.update) {
    const inc = openCommune.get(u.key)!;
    const merged = [...new Set([...inc.affected, ...u.sites])];
    if (merged.length !== inc.affected.length) repo.setAffected(inc.id, merged);
    for (const id of u.sites) fold(ctx, id, inc.id, u);
  }
  for (const k of decision.resolve) {
    const inc = openCommune.get(k)!;
    const cause = communeCause(ctx, inc);
    const done = repo.resolveIncident(inc.id, batch.now, cause, 'the commune\'s sites answer again')!;
    notifyResolved(ctx, done, batch);
    batch.events.push({ site: null, area: placeOf(inc), ts: batch.now, type: 'incident_resolve', fields: { text: `${inc.kind}: resolved`, incident_id: inc.id, cause } });
    // sites of the commune still down on their own: their own alert, now
    for (const open of repo.openIncidents()) {
      if (open.merged_into === inc.id) {
        repo.setHold(open.id, null, null);
        notifyFiring(ctx, repo.getIncident(open.id)!, batch);
      }
    }
  }
}

/**
 * A site's own site-down incident joins the commune incident: one not yet told gets no notice of
 * its own; one already told is named in the commune notice as an update (and stops escalating).
 */
function fold(ctx: EngineContext, siteId: string, communeIncident: number, area: Place): void {
  const own = ctx.repo.findOpen('site-down', siteId, area) ?? ctx.repo.findOpen('upstream-down', siteId, area);
  if (own && own.merged_into === null) ctx.repo.setHold(own.id, null, communeIncident);
}

/** Power when most of its sites that came back had rebooted; link when any stayed up; else unknown. */
function communeCause(ctx: EngineContext, inc: Incident): Cause {
  const since = inc.opened_at - parseDuration(ctx.settings.alerting.commune_outage.window);
  const causes: Cause[] = [];
  for (const id of inc.affected) {
    const c = ctx.repo.lastOutageCause(id, since);
    if (c) causes.push(c);
  }
  const power = causes.filter((c) => c === 'power').length;
  const link = causes.filter((c) => c === 'link').length;
  if (power > 0 && power >= link) return 'power';
  if (link > 0) return 'link';
  return 'unknown';
}
