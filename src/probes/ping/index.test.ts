import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createPingProbe, fpingArgs, pingBatches, type RunCommand } from './index.js';
import { ManualClock } from '../../core/clock.js';

const fixture = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const OPTS = { count: 5, period_ms: 20, timeout_ms: 500, interval_ms: 1, batch_size: 2, parallel_batches: 2 };

/** A recording fake fping: answers each host from a table of lines, tracks concurrency. */
function fakeFping(lines: Record<string, string>, opts: { code?: number; delayMs?: number } = {}) {
  const calls: string[][] = [];
  let active = 0;
  let maxActive = 0;
  const run: RunCommand = async (cmd, args) => {
    calls.push([cmd, ...args]);
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 5));
    active--;
    const hosts = args.slice(args.indexOf('--') + 1);
    const stderr = hosts.map((h) => lines[h]).filter(Boolean).join('\n');
    return { code: opts.code ?? 0, stdout: '', stderr };
  };
  return { run, calls, maxActive: () => maxActive };
}

describe('createPingProbe (recording fake runner)', () => {
  it('batches hosts, runs batches in parallel up to the cap, returns one result per target in order', async () => {
    const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
    const f = fakeFping(Object.fromEntries(hosts.map((h) => [h, `${h} : 0.1 0.2 0.3 0.4 0.5`])), { delayMs: 30 });
    const clock = new ManualClock(1_000);
    const probe = createPingProbe(OPTS, { runCommand: f.run, clock });
    const res = await probe.ping(hosts.map((host, i) => ({ site: `s${i}`, host })).reverse());
    expect(f.calls).toHaveLength(3);
    expect(f.calls.every((c) => c.filter((a) => a.startsWith('127.')).length <= 2)).toBe(true);
    expect(f.maxActive()).toBe(2);
    expect(res.map((r) => r.site)).toEqual(['s4', 's3', 's2', 's1', 's0']);
    expect(res.every((r) => r.status === 'ok' && r.ts === 1_000 && r.received === 5)).toBe(true);
  });

  it('onResults: each batch is handed on as soon as it is done, every target exactly once, before the promise resolves', async () => {
    const lines: Record<string, string> = {
      '127.0.0.1': '127.0.0.1 : - - - - -',
      '127.0.0.2': '127.0.0.2 : 0.1 0.2 0.3 0.4 0.5',
      '127.0.0.3': '127.0.0.3 : 0.1 0.2 0.3 0.4 0.5',
    };
    // the first batch (hosts 1, 2) answers at once; the second (host 3, two sites) only once the
    // first batch has been handed on (or after 2 s, and then the test fails)
    let open!: () => void;
    const gate = new Promise<'gate'>((r) => { open = () => r('gate'); });
    let releasedBy = '';
    const run: RunCommand = async (_cmd, args) => {
      const hosts = args.slice(args.indexOf('--') + 1);
      if (hosts.includes('127.0.0.3')) releasedBy = await Promise.race([gate, new Promise<string>((r) => setTimeout(() => r('timer'), 2000))]);
      return { code: 1, stdout: '', stderr: hosts.map((h) => lines[h]).join('\n') };
    };
    const seen: string[][] = [];
    const targets = [
      { site: 'dead', host: '127.0.0.1' }, { site: 'up', host: '127.0.0.2' }, { site: 'bad', host: '-rf' },
      { site: 'c1', host: '127.0.0.3' }, { site: 'c2', host: '127.0.0.3' },
    ];
    const res = await createPingProbe(OPTS, { runCommand: run }).ping(targets, {
      onResults: (rs) => {
        seen.push(rs.map((r) => r.site));
        if (rs.some((r) => r.site === 'dead')) open();
      },
    });
    expect(seen).toEqual([['bad'], ['dead', 'up'], ['c1', 'c2']]);
    expect(releasedBy).toBe('gate'); // the first batch was not held back by the slow one
    expect(res.map((r) => [r.site, r.received])).toEqual([['dead', 0], ['up', 5], ['bad', 0], ['c1', 5], ['c2', 5]]);
  });

  it('fewer hosts than batch_size × parallel: spread over every parallel slot; period_ms per call', async () => {
    const hosts = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
    const f = fakeFping(Object.fromEntries(hosts.map((h) => [h, `${h} : 0.1 0.2 0.3 0.4 0.5`])));
    const probe = createPingProbe({ ...OPTS, batch_size: 250, parallel_batches: 4 }, { runCommand: f.run });
    await probe.ping(hosts.map((host, i) => ({ site: `s${i}`, host })), { period_ms: 100 });
    expect(f.calls.map((c) => c.filter((a) => a.startsWith('127.')).length)).toEqual([2, 2, 2, 2]);
    expect(f.calls.every((c) => c[c.indexOf('-p') + 1] === '100')).toBe(true);
    await probe.ping([{ site: 'x', host: '127.0.0.9' }]);
    expect(f.calls.at(-1)![f.calls.at(-1)!.indexOf('-p') + 1]).toBe(String(OPTS.period_ms));
  });

  it('passes the documented fping arguments', () => {
    expect(fpingArgs({ ...OPTS, count: 3 }, ['a', 'b'])).toEqual(['-C', '3', '-q', '-p', '20', '-t', '500', '-i', '1', '--', 'a', 'b']);
  });

  it('same host in two sites: pinged once, both get the result', async () => {
    const f = fakeFping({ '127.0.0.1': '127.0.0.1 : 0.1 - 0.3 0.4 0.5' });
    const res = await createPingProbe(OPTS, { runCommand: f.run }).ping([{ site: 'a', host: '127.0.0.1' }, { site: 'b', host: '127.0.0.1' }]);
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]!.filter((x) => x === '127.0.0.1')).toHaveLength(1);
    expect(res.map((r) => [r.site, r.loss_pct])).toEqual([['a', 20], ['b', 20]]);
  });

  it('exit 2 (a name did not resolve) still yields the others, and names the reason', async () => {
    const text = fixture('unknown-host.txt');
    const run: RunCommand = async () => ({ code: 2, stdout: '', stderr: text });
    const res = await createPingProbe(OPTS, { runCommand: run }).ping([{ site: 'a', host: '127.0.0.1' }, { site: 'b', host: 'nosuchhost.invalid' }]);
    expect(res[0]).toMatchObject({ site: 'a', status: 'ok', received: 5 });
    expect(res[1]).toMatchObject({ site: 'b', status: 'error', reason: 'host name did not resolve' });
  });

  it('exit 1 with 100% loss is unreachable, not an error', async () => {
    const text = fixture('netns-100pct.txt');
    const run: RunCommand = async () => ({ code: 1, stdout: '', stderr: text });
    const res = await createPingProbe(OPTS, { runCommand: run }).ping([{ site: 'down', host: '10.250.77.2' }]);
    expect(res[0]).toMatchObject({ status: 'unreachable', loss_pct: 100, sent: 5 });
  });

  it('fping that cannot run gives every target status error with the reason', async () => {
    const run: RunCommand = async () => { throw Object.assign(new Error('spawn fping ENOENT'), { code: 'ENOENT' }); };
    const res = await createPingProbe(OPTS, { runCommand: run }).ping([{ site: 'a', host: '127.0.0.1' }, { site: 'b', host: '127.0.0.2' }]);
    expect(res.map((r) => [r.status, r.reason])).toEqual([
      ['error', 'fping did not run: spawn fping ENOENT'],
      ['error', 'fping did not run: spawn fping ENOENT'],
    ]);
  });

  it('the real runner kills a command at its deadline and says so', async () => {
    const { runCommand, CommandTimeoutError } = await import('./index.js');
    const t0 = Date.now();
    const err = await runCommand('sleep', ['5'], { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect((err as Error).message).toBe('sleep did not finish within 100 ms (killed)');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a fping killed at its deadline: every target of the batch is an error naming the deadline', async () => {
    const { CommandTimeoutError } = await import('./index.js');
    const run: RunCommand = async () => { throw new CommandTimeoutError('fping did not finish within 9 ms (killed)'); };
    const res = await createPingProbe(OPTS, { runCommand: run }).ping([{ site: 'a', host: '127.0.0.1' }]);
    expect(res[0]).toMatchObject({ status: 'error', reason: 'fping did not finish within 9 ms (killed)' });
  });

  it('fping exit 3 (bad arguments) is an error for the batch', async () => {
    const run: RunCommand = async () => ({ code: 3, stdout: '', stderr: 'fping: invalid option -- z\n' });
    const res = await createPingProbe(OPTS, { runCommand: run }).ping([{ site: 'a', host: '127.0.0.1' }]);
    expect(res[0]).toMatchObject({ status: 'error', reason: 'fping exited with code 3: fping: invalid option -- z' });
  });

  it('a host that looks like an option is never passed to fping', async () => {
    const f = fakeFping({});
    const res = await createPingProbe(OPTS, { runCommand: f.run }).ping([{ site: 'x', host: '-f/etc/passwd' }, { site: 'y', host: '' }]);
    expect(f.calls).toHaveLength(0);
    expect(res.map((r) => r.status)).toEqual(['error', 'error']);
    expect(res[0]!.reason).toMatch(/^invalid host name/);
  });

  it('IPv6 literals are valid hosts', async () => {
    const f = fakeFping({ '::1': '::1 : 0.1 0.1 0.1 0.1 0.1' });
    const res = await createPingProbe(OPTS, { runCommand: f.run }).ping([{ site: 'v6', host: '::1' }]);
    expect(res[0]).toMatchObject({ status: 'ok', received: 5 });
  });

  it('no targets: no fping run', async () => {
    const f = fakeFping({});
    expect(await createPingProbe(OPTS, { runCommand: f.run }).ping([])).toEqual([]);
    expect(f.calls).toHaveLength(0);
  });
});

describe('pingBatches', () => {
  const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}`);
  it('a big fleet: full batches of batch_size, the rest in the last', () => {
    expect(pingBatches(hosts(4200), 500, 8).map((b) => b.length)).toEqual([500, 500, 500, 500, 500, 500, 500, 500, 200]);
  });
  it('a small fleet is spread over every parallel slot', () => {
    expect(pingBatches(hosts(1000), 500, 8).map((b) => b.length)).toEqual([125, 125, 125, 125, 125, 125, 125, 125]);
    expect(pingBatches(hosts(3), 500, 8).map((b) => b.length)).toEqual([1, 1, 1]);
  });
  it('every host exactly once, in order', () => {
    const hs = hosts(4001);
    expect(pingBatches(hs, 500, 8).flat()).toEqual(hs);
    expect(pingBatches([], 500, 8)).toEqual([]);
  });
});
