/**
 * ICMP probe: fping in batches (never one process per host), batches in parallel.
 * `fping -C count -q -p period -t timeout -i interval -- host...`; results on stderr.
 * Exit 1 (some host unreachable) and 2 (a name did not resolve) are normal: the other hosts' lines
 * are still there. A fping that cannot run at all gives every target of that batch status 'error'
 * (the poller reports UNKNOWN, not DOWN).
 */
import { isIP } from 'node:net';
import type { PingResult } from '../../core/types.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import { mapLimit } from '../../core/limiter.js';
import { parseFpingDetailed, summarizePing } from './parse.js';
import { CommandTimeoutError, type RunCommand } from './command.js';
import { createLauncher } from './launcher.js';

export { CommandTimeoutError, runCommand, type RunCommand } from './command.js';


export interface PingOptions {
  count: number;
  period_ms: number;
  timeout_ms: number;
  interval_ms: number;
  batch_size: number;
  parallel_batches: number;
  /** fping binary (default 'fping'). */
  fping_path?: string;
}

export interface PingTarget { site: string; host: string }

export interface PingCallOptions {
  /**
   * Called with the results of each fping batch as soon as that batch is done (before the
   * promise resolves): the poller hands on a dead site's check without waiting for the others.
   * Every target is delivered exactly once, in some order; the promise still resolves with all.
   */
  onResults?: (results: PingResult[]) => void;
  /** Gap between pings to one host for this call (the fast re-check pings faster), default `period_ms`. */
  period_ms?: number;
}

export interface PingProbe {
  ping(targets: PingTarget[], opts?: PingCallOptions): Promise<PingResult[]>;
  /** PIDs of the long-lived launcher shells fping runs under (for CPU accounting); none with a custom runner. */
  processes?(): number[];
  /** Stop the launcher shells (they also stop on their own when idle or when this process exits). */
  close?(): Promise<void>;
}

/** A host we will hand to fping: an IP literal or a DNS name; never something that looks like an option. */
const HOST_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:%-]{0,252}$/;
export function isValidPingHost(host: string): boolean {
  return isIP(host) !== 0 || HOST_RE.test(host);
}

export function fpingArgs(o: PingOptions, hosts: string[]): string[] {
  return [
    '-C', String(o.count),
    '-q',
    '-p', String(o.period_ms),
    '-t', String(o.timeout_ms),
    '-i', String(o.interval_ms),
    '--',
    ...hosts,
  ];
}

/** Upper bound for one fping process: all its packets plus the last timeout, with slack. */
export function batchDeadlineMs(o: PingOptions, hosts: number): number {
  const sendTime = Math.max(o.count * o.period_ms, hosts * o.count * Math.max(o.interval_ms, 1));
  return sendTime + o.timeout_ms + 5_000;
}

/**
 * The fping batches for `hosts`: at most `batchSize` each; fewer hosts than batchSize × parallel are
 * spread over all the parallel slots (a batch's send time is hosts × count × interval_ms: smaller
 * batches finish sooner).
 */
export function pingBatches<T>(hosts: T[], batchSize: number, parallel: number): T[][] {
  const per = Math.min(Math.max(1, batchSize), Math.max(1, Math.ceil(hosts.length / Math.max(1, parallel))));
  return chunk(hosts, per);
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

interface HostOutcome { rtts?: Array<number | null>; line?: string; reason?: string }

export function createPingProbe(
  opts: PingOptions,
  deps: { runCommand?: RunCommand; clock?: Clock; logger?: Logger } = {},
): PingProbe {
  const batchSize = Math.max(1, opts.batch_size);
  const parallel = Math.max(1, opts.parallel_batches);
  // fping is started by small long-lived shells, not forked from this (large) process: see launcher.ts
  const launcher = deps.runCommand ? null : createLauncher(parallel);
  const run = deps.runCommand ?? launcher!.run;
  const clock = deps.clock ?? systemClock;
  const log = (deps.logger ?? silentLogger()).child({ component: 'probe.ping' });
  const bin = opts.fping_path ?? 'fping';

  async function runBatch(hosts: string[], o: PingOptions): Promise<Map<string, HostOutcome>> {
    const out = new Map<string, HostOutcome>();
    const timeoutMs = batchDeadlineMs(o, hosts.length);
    let res: Awaited<ReturnType<RunCommand>>;
    try {
      res = await run(bin, fpingArgs(o, hosts), { timeoutMs });
    } catch (err) {
      const reason = err instanceof CommandTimeoutError ? errorMessage(err) : `fping did not run: ${errorMessage(err)}`;
      log.error({ hosts: hosts.length, err: errorMessage(err) }, 'fping failed to run');
      for (const h of hosts) out.set(h, { reason });
      return out;
    }
    if (res.code !== 0 && res.code !== 1 && res.code !== 2) {
      const detail = res.stderr.trim().split('\n')[0]?.slice(0, 200) ?? '';
      // 126/127: the launcher shell could not execute it (not found, not executable)
      const reason = res.code === 126 || res.code === 127
        ? `fping did not run: ${detail || `exit ${res.code}`}`
        : `fping exited with code ${res.code}${detail ? `: ${detail}` : ''}`;
      log.error({ hosts: hosts.length, code: res.code, detail }, 'fping failed');
      for (const h of hosts) out.set(h, { reason });
      return out;
    }
    const parsed = parseFpingDetailed(res.stderr);
    for (const h of hosts) {
      const rtts = parsed.results.get(h);
      const err = parsed.errors.get(h);
      out.set(h, {
        rtts,
        line: parsed.lines.get(h),
        reason: rtts
          ? undefined
          : err
            ? `fping: ${err}`
            : res.code === 2 && isIP(h) === 0
              ? 'host name did not resolve'
              : 'fping reported no result for this host',
      });
    }
    return out;
  }

  return {
    processes: () => launcher?.pids() ?? [],
    close: async () => { await launcher?.close(); },
    async ping(targets, callOpts = {}) {
      const ts = clock.now();
      const valid: string[] = [];
      const byHost = new Map<string, number[]>();
      const out = new Array<PingResult>(targets.length);
      const invalid: number[] = [];
      targets.forEach((t, i) => {
        if (!isValidPingHost(t.host)) {
          invalid.push(i);
          out[i] = summarizePing(t.site, ts, undefined, undefined, `invalid host name ${JSON.stringify(t.host.slice(0, 80))}`);
          return;
        }
        const list = byHost.get(t.host);
        if (list) list.push(i);
        else { byHost.set(t.host, [i]); valid.push(t.host); }
      });
      const deliver = (idx: number[]) => {
        if (idx.length && callOpts.onResults) callOpts.onResults(idx.map((i) => out[i]!));
      };
      deliver(invalid);
      const o = callOpts.period_ms ? { ...opts, period_ms: callOpts.period_ms } : opts;
      await mapLimit(pingBatches(valid, batchSize, parallel), parallel, async (hosts) => {
        const m = await runBatch(hosts, o);
        const idx: number[] = [];
        for (const h of hosts) {
          const o = m.get(h);
          for (const i of byHost.get(h)!) {
            out[i] = summarizePing(targets[i]!.site, ts, o?.rtts, o?.line, o?.reason);
            idx.push(i);
          }
        }
        deliver(idx);
      });
      return out;
    },
  };
}
