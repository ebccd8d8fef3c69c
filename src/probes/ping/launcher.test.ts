/**
 * The fping launcher against a real /bin/sh and real commands (fping on loopback, coreutils).
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandTimeoutError } from './command.js';
import { createLauncher, type Launcher } from './launcher.js';

let l: Launcher | null = null;
afterEach(() => { l?.close(); l = null; });
const alive = (pid: number) => existsSync(`/proc/${pid}`);

describe('fping launcher (long-lived shells)', () => {
  it("runs fping and hands back its stderr and exit code; one shell serves request after request", async () => {
    l = createLauncher(2);
    const a = await l.run('fping', ['-C', '2', '-q', '-p', '20', '-t', '300', '--', '127.0.0.1'], { timeoutMs: 5000 });
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/^127\.0\.0\.1 +: [0-9.]+ [0-9.]+\n?$/);
    const pids = l.pids();
    expect(pids).toHaveLength(1);
    const b = await l.run('/bin/ls', ['/nonexistent-pw'], { timeoutMs: 5000 });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/nonexistent-pw/);
    expect(l.pids()).toEqual(pids);
  });

  it('a command that is not there: exit 127 and the shell says so', async () => {
    l = createLauncher(1);
    const r = await l.run('/nonexistent/fping', ['-C', '1'], { timeoutMs: 5000 });
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/not found/);
  });

  it('past its deadline the command and its shell are killed; the next request gets a fresh shell', async () => {
    l = createLauncher(1);
    const first = l.run('/bin/true', [], { timeoutMs: 5000 });
    await first;
    const [shell] = l.pids();
    await expect(l.run('/bin/sleep', ['30'], { timeoutMs: 200 })).rejects.toBeInstanceOf(CommandTimeoutError);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(shell!)).toBe(false);
    const again = await l.run('/bin/echo', ['x'], { timeoutMs: 5000 });
    expect(again.code).toBe(0);
    expect(l.pids()).not.toContain(shell);
  });

  it('at most `size` shells; requests beyond wait their turn and all finish', async () => {
    l = createLauncher(2);
    const t0 = Date.now();
    const runs = [1, 2, 3, 4].map(() => l!.run('/bin/sleep', ['0.2'], { timeoutMs: 5000 }));
    await new Promise((r) => setTimeout(r, 50));
    expect(l.pids().length).toBe(2);
    const res = await Promise.all(runs);
    expect(res.every((r) => r.code === 0)).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380); // two rounds of 0.2 s
  });

  it('words the shell could split or glob never reach it: they run through a direct spawn', async () => {
    l = createLauncher(1);
    const r = await l.run('/bin/ls', ['/nonexistent pw*'], { timeoutMs: 5000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'\/nonexistent pw\*'|\/nonexistent pw\*/);
    expect(l.pids()).toHaveLength(0); // no shell was started for it
  });
});
