/**
 * What the engine's tick() does besides releasing held notices: the work that comes due with
 * time rather than with a check. Sites whose maintenance window started or ended since they
 * were last judged, incidents of sites removed from the inventory, escalation of incidents
 * nobody acknowledged, and the notices to send again (failed, interrupted, or resolved notices
 * that reached nobody before a restart). Separate from the engine's batch loop so each timer
 * reads on its own.
 */
import { dueEscalations, escalationSteps } from './escalation.js';
import type { Batch, EngineContext } from './engine-context.js';
import { isWindowActive, windowCovers } from './maintenance.js';
import type { Notice } from './notice.js';
import { buildNotice, notifyResolved, queueNotice } from './notify.js';

/** Sites whose maintenance window started or ended since they were last judged. */
export function maintenanceEdges(ctx: EngineContext, now: number): string[] {
  const active = ctx.repo.maintenance.list().filter((w) => isWindowActive(w, now, ctx.tz));
  const edges: string[] = [];
  for (const [id, st] of ctx.siteStates) {
    const site = ctx.fleet.sitesById.get(id)!;
    const inWindow = active.some((w) => windowCovers(w, site));
    if (inWindow !== (st.state === 'MAINTENANCE')) edges.push(id);
  }
  return edges;
}

/** A site that left the inventory: close its incidents (told if anyone heard of them). */
export function closeRemovedSites(ctx: EngineContext, batch: Batch): void {
  for (const inc of ctx.repo.openIncidents()) {
    if (inc.site_id !== null && !ctx.fleet.sitesById.has(inc.site_id)) {
      const done = ctx.repo.resolveIncident(inc.id, batch.now, 'unknown', 'the site was removed from the inventory')!;
      notifyResolved(ctx, done, batch);
    }
  }
}

/** Each level an unacknowledged incident is due to reach now, once. */
export function escalate(ctx: EngineContext, batch: Batch): void {
  const steps = escalationSteps(ctx.settings);
  for (const inc of ctx.repo.openIncidents()) {
    // a site incident folded into a commune incident: the commune incident escalates for it
    if (inc.merged_into !== null) continue;
    for (const step of dueEscalations(inc, steps, batch.now)) {
      queueNotice(ctx, buildNotice(ctx, inc, 'escalated', step.level), batch);
      ctx.repo.markEscalated(inc.id, step.level);
      ctx.log.info({ incident: inc.id, level: step.level }, 'incident escalated');
    }
  }
}

/**
 * Recorded notices not dispatched yet (failed, or interrupted by a crash), besides the batch's
 * own; on the first tick after start also the resolved notices that reached nobody before the
 * restart (the dispatcher's retry queue lived in memory).
 */
export function noticesToRetry(ctx: EngineContext, batch: Batch, afterStart: boolean): Notice[] {
  const retry = ctx.repo.undispatched().filter((r) => !batch.notices.some((n) => n.id === r.notice_id)).map((r) => r.notice);
  if (afterStart) {
    for (const r of ctx.repo.undeliveredResolved()) {
      ctx.repo.markNotice(r.notice_id, { ok: false, error: 'no delivery before restart: sent again' });
      retry.push(r.notice);
    }
  }
  return retry;
}
