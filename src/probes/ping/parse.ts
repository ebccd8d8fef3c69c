/**
 * Pure parser for `fping -C <count> -q` output (all of it arrives on STDERR).
 *
 *   127.0.0.1  : 0.04 0.05 - 0.03 0.04      per-packet RTTs in ms, `-` = lost
 *   nosuch.invalid: Name or service not known   a host fping could not use
 *
 * No IO here; captured real outputs live in ./testdata/ (see its README).
 */
import type { PingResult } from '../../core/types.js';

export interface FpingParse {
  /** host (as given on the command line) → per-packet RTT in ms, null = lost. */
  results: Map<string, Array<number | null>>;
  /** host → fping's own error text for hosts it could not ping at all (e.g. name did not resolve). */
  errors: Map<string, string>;
  /** The raw result line per host (for `probe --debug`). */
  lines: Map<string, string>;
}

// host, spaces, colon, then only RTT tokens (numbers or '-')
const RESULT_LINE = /^(\S+)\s+:((?:\s+(?:-|\d+(?:\.\d+)?))*)\s*$/;
// `host: message` (getaddrinfo failure and similar). Host has no spaces; message is free text.
const ERROR_LINE = /^(\S+?):\s+(\S.*)$/;

/** Parse everything fping wrote. Never throws; lines it does not understand are ignored. */
export function parseFpingDetailed(stderr: string): FpingParse {
  const results = new Map<string, Array<number | null>>();
  const errors = new Map<string, string>();
  const lines = new Map<string, string>();
  if (typeof stderr !== 'string') return { results, errors, lines };
  for (const rawLine of stderr.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line) continue;
    const m = RESULT_LINE.exec(line);
    if (m) {
      const host = m[1]!;
      const tokens = (m[2] ?? '').trim().split(/\s+/).filter(Boolean);
      const rtts = tokens.map((t) => {
        if (t === '-') return null;
        const v = Number(t);
        return Number.isFinite(v) && v >= 0 ? v : null;
      });
      results.set(host, rtts);
      lines.set(host, line);
      continue;
    }
    const e = ERROR_LINE.exec(line);
    if (e && !results.has(e[1]!)) {
      errors.set(e[1]!, e[2]!.slice(0, 200));
      lines.set(e[1]!, line);
    }
  }
  return { results, errors, lines };
}

/** host → per-packet RTTs (null = lost). Never throws. */
export function parseFping(stderr: string): Map<string, Array<number | null>> {
  return parseFpingDetailed(stderr).results;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * One site's PingResult from its per-packet RTTs.
 * `rtts` undefined (no line for the host) → status 'error' with `missingReason` (or a generic reason).
 * All packets lost → 'unreachable'. Jitter = mean absolute difference of consecutive replies' RTTs
 * (lost packets are skipped; null with fewer than two replies).
 */
export function summarizePing(
  site: string,
  ts: number,
  rtts: Array<number | null> | undefined,
  raw?: string,
  missingReason?: string,
): PingResult {
  // Each result is one object literal of a fixed shape (no spread, no property added later but
  // the debug line): a site's result lives until its check is built, up to a spread window.
  let r: PingResult;
  if (!rtts || rtts.length === 0) {
    r = {
      site, ts, status: 'error', reason: missingReason ?? 'fping reported no result for this host',
      sent: 0, received: 0, loss_pct: 100,
      rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null,
    };
  } else {
    const sent = rtts.length;
    let received = 0, min = Infinity, max = -Infinity, sum = 0, d = 0;
    let prev: number | null = null;
    for (const v of rtts) {
      if (v === null) continue; // lost packets are skipped (jitter compares consecutive replies)
      received++;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      if (prev !== null) d += Math.abs(v - prev);
      prev = v;
    }
    const loss_pct = round3(((sent - received) / sent) * 100);
    r = received === 0
      ? {
        site, ts, status: 'unreachable', reason: `no reply to ${sent} pings`,
        sent, received, loss_pct,
        rtt_min_ms: null, rtt_avg_ms: null, rtt_max_ms: null, jitter_ms: null,
      }
      : {
        site, ts, status: 'ok',
        sent, received, loss_pct,
        rtt_min_ms: round3(min), rtt_avg_ms: round3(sum / received), rtt_max_ms: round3(max),
        jitter_ms: received >= 2 ? round3(d / (received - 1)) : null,
      };
  }
  if (raw !== undefined) r.raw = raw;
  return r;
}
