/**
 * Memory of the site states the alert engine keeps between checks (an adapter concern, not the
 * reducer's): a state's parts equal to the previous state's are that state's own objects, and the
 * quiet parts most sites have are one frozen object for the whole fleet. Never changes a value.
 */
import { DEGRADED_KINDS, type ConditionState, type DegradedKind, type DownState, type SiteAlertState } from './reducer.js';
import type { AlertKind } from './notice.js';

const sameCondition = (x: ConditionState, y: ConditionState) =>
  x.bad === y.bad && x.good === y.good && x.firing === y.firing && x.since === y.since && x.detail === y.detail;
const sameDown = (x: DownState, y: DownState) =>
  x.fail === y.fail && x.ok === y.ok && x.confirmed === y.confirmed && x.since === y.since && x.detail === y.detail &&
  x.rebooted === y.rebooted && x.uptime_after?.uptime_s === y.uptime_after?.uptime_s && x.uptime_after?.ts === y.uptime_after?.ts;

/** `next` with every part equal to `prev`'s replaced by `prev`'s own object (neither is mutated once returned). */
export function shareUnchanged(prev: SiteAlertState | undefined, next: SiteAlertState, cap: number): SiteAlertState {
  if (!prev) return next;
  if (sameDown(prev.down, next.down)) next.down = prev.down;
  const quiet = quietParts(cap);
  let allSame = true;
  // all five quiet: the record is the fleet's one for these good-streak counts (key: the counts in base cap+1)
  let quietKey = 0;
  for (let i = 0; i < DEGRADED_KINDS.length; i++) {
    const k = DEGRADED_KINDS[i]!;
    const c = next.conditions[k];
    // the fleet-wide quiet object first, else the previous state's own when equal
    const q = c.bad === 0 && !c.firing && c.since === null && c.detail === '' && c.good <= cap ? quiet.condition[c.good]! : null;
    if (q) next.conditions[k] = q;
    else if (sameCondition(prev.conditions[k], c)) next.conditions[k] = prev.conditions[k];
    if (next.conditions[k] !== prev.conditions[k]) allSame = false;
    quietKey = q === null || quietKey < 0 ? -1 : quietKey * (cap + 1) + q.good;
  }
  if (quietKey >= 0) {
    let shared = quiet.conditions.get(quietKey);
    if (!shared) { shared = Object.freeze({ ...next.conditions }); quiet.conditions.set(quietKey, shared); }
    next.conditions = shared;
  } else if (allSame) next.conditions = prev.conditions;
  const ka = Object.keys(prev.alerts) as AlertKind[];
  if (ka.length === Object.keys(next.alerts).length && ka.every((k) => next.alerts[k]?.since === prev.alerts[k]!.since && next.alerts[k]!.detail === prev.alerts[k]!.detail)) {
    next.alerts = prev.alerts;
  }
  if (ka.length === 0 && next.alerts !== NO_ALERTS && Object.keys(next.alerts).length === 0) next.alerts = NO_ALERTS;
  const t = prev.transitions;
  if (t.length === next.transitions.length && t.every((v, i) => v === next.transitions[i])) next.transitions = t;
  if (next.transitions.length === 0) next.transitions = NO_TRANSITIONS;
  return next;
}

/** What most sites' states share (a quiet condition per good-streak count up to `cap`, a record of five): one frozen object each. */
interface QuietParts { condition: ConditionState[]; conditions: Map<number, Record<DegradedKind, ConditionState>> }
const quietByCap = new Map<number, QuietParts>();
function quietParts(cap: number): QuietParts {
  let q = quietByCap.get(cap);
  if (!q) {
    const condition: ConditionState[] = [];
    for (let good = 0; good <= cap; good++) condition.push(Object.freeze({ bad: 0, good, firing: false, since: null, detail: '' }));
    q = { condition, conditions: new Map() };
    quietByCap.set(cap, q);
  }
  return q;
}
const NO_ALERTS: SiteAlertState['alerts'] = Object.freeze({});
const NO_TRANSITIONS = Object.freeze([]) as unknown as number[];
