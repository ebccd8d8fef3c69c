/**
 * Why a site was not available: which incidents count as its outages, and per site their number,
 * time to recover and minutes by cause (the main cause is the one with most). Pure; apart from the
 * state sums because causes come from incidents (SQLite), not from the checks.
 */
import type { Cause } from '../alerting/notice.js';
import type { IncidentInput, SiteCoverage } from './coverage.js';
import { MIN, round } from './numbers.js';
import { overlapMs, type Window } from './service-hours.js';

export const CAUSES = ['power', 'link', 'unknown'] as const satisfies readonly Cause[];
const CAUSE_SET = new Set<string>(CAUSES);

/** Incident kinds that are outages of the site itself (others, e.g. high-loss, are not counted). */
export const OUTAGE_KINDS = new Set(['site-down', 'power-cut-suspected', 'snmp-unreachable', 'wan-interface-down', 'quota-exhausted']);

export const zeroCauses = (): Record<Cause, number> => ({ power: 0, link: 0, unknown: 0 });

/** A stored cause as a Cause; anything else (null, an old or unknown value) is 'unknown'. */
export const causeOf = (v: unknown): Cause => (typeof v === 'string' && CAUSE_SET.has(v) ? (v as Cause) : 'unknown');

/** The outage incidents by site (incidents of other kinds dropped; no kind counts as an outage). */
export function outagesBySite(incidents: readonly IncidentInput[]): Map<string, IncidentInput[]> {
  const bySite = new Map<string, IncidentInput[]>();
  for (const i of incidents) {
    if (i.kind !== undefined && !OUTAGE_KINDS.has(i.kind)) continue;
    let l = bySite.get(i.site);
    if (!l) bySite.set(i.site, (l = []));
    l.push(i);
  }
  return bySite;
}

export type IncidentFigures = Pick<SiteCoverage, 'incidents' | 'mttr_min' | 'cause_min' | 'main_cause'>;

/**
 * One site's outage figures over [from, to) (`from`: the site's effective start), the cause
 * minutes counted inside its service windows `sw` only.
 */
export function incidentFigures(list: readonly IncidentInput[], from: number, to: number, sw: readonly Window[]): IncidentFigures {
  let count = 0;
  const durations: number[] = [];
  const causeMs = zeroCauses();
  for (const i of list) {
    const end = i.resolved ?? to;
    if (!(end > from) || !(i.opened < to)) continue;
    count++;
    if (i.resolved !== null && i.resolved >= from && i.resolved <= to) durations.push(i.resolved - i.opened);
    causeMs[i.cause] += overlapMs(sw, Math.max(i.opened, from), Math.min(end, to));
  }
  const causeMin = zeroCauses();
  for (const c of CAUSES) causeMin[c] = round(causeMs[c] / MIN, 1);
  let mainCause: Cause | null = null;
  for (const c of CAUSES) if (causeMs[c] > 0 && (mainCause === null || causeMs[c] > causeMs[mainCause])) mainCause = c;
  return {
    incidents: count,
    mttr_min: durations.length ? round(durations.reduce((x, y) => x + y, 0) / durations.length / MIN, 1) : null,
    cause_min: causeMin,
    main_cause: mainCause,
  };
}
