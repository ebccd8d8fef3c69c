/**
 * Pure scheduling arithmetic: which cron pattern ticks often enough for every per-kind interval,
 * and which kinds are due at a tick. node-cron's validate() accepts `* /70` (it fires at :00
 * only), so intervals are checked here: every interval must divide a minute (5..30 s, 60 s) or
 * be whole minutes dividing an hour (2..30 min, 60 min), so that ticks are evenly spaced.
 */
import { InputError } from '../core/errors.js';

export interface KindIntervals {
  /** poller.ping.interval_s */
  ping: number;
  /** poller.snmp.system_interval_s */
  system: number;
  /** poller.snmp.interfaces_interval_s */
  interfaces: number;
}

export type Kinds = { ping: boolean; system: boolean; interfaces: boolean };

const FIELD: Record<keyof KindIntervals, string> = {
  ping: 'poller.ping.interval_s',
  system: 'poller.snmp.system_interval_s',
  interfaces: 'poller.snmp.interfaces_interval_s',
};

/** An interval (s) node-cron can tick evenly: a divisor of 60, or 60·m with m a divisor of 60. */
export function isCronInterval(s: number): boolean {
  if (!Number.isInteger(s) || s <= 0) return false;
  if (s <= 60) return 60 % s === 0;
  return s % 60 === 0 && 60 % (s / 60) === 0;
}

/** Every problem with the intervals, each naming its settings field. */
export function intervalProblems(iv: KindIntervals): string[] {
  const out: string[] = [];
  for (const k of Object.keys(FIELD) as Array<keyof KindIntervals>) {
    if (!isCronInterval(iv[k])) {
      out.push(
        `${FIELD[k]}: ${iv[k]} s cannot be scheduled evenly; use a divisor of 60 s (5, 6, 10, 12, 15, 20, 30, 60) ` +
          `or whole minutes dividing an hour (120, 180, 240, 300, 600, 900, 1200, 1800, 3600)`,
      );
    }
  }
  return out;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The tick period (s): the greatest common divisor of the intervals. Throws InputError on bad intervals. */
export function basePeriod(iv: KindIntervals): number {
  const problems = intervalProblems(iv);
  if (problems.length) throw new InputError(problems[0]!, problems);
  return gcd(gcd(iv.ping, iv.system), iv.interfaces);
}

/** A 6-field (seconds) cron pattern ticking every `base_s` seconds, aligned to the minute/hour. */
export function cronPattern(base_s: number): string {
  if (!isCronInterval(base_s)) throw new InputError(`scheduler: ${base_s} s is not an even cron interval`);
  if (base_s < 60) return `*/${base_s} * * * * *`;
  if (base_s === 60) return '0 * * * * *';
  if (base_s < 3600) return `0 */${base_s / 60} * * * *`;
  return '0 0 * * * *';
}

/** The kinds due at the tick at epoch ms `t` (rounded to the nearest base period). */
export function dueKinds(t: number, iv: KindIntervals, base_s: number): Kinds {
  const s = Math.round(t / 1000 / base_s) * base_s;
  return { ping: s % iv.ping === 0, system: s % iv.system === 0, interfaces: s % iv.interfaces === 0 };
}
