/** Bad input to `poll`, `probe` and `simulate`: a clear message naming the problem, exit code 2. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

describe('poll / probe / simulate: bad input exits 2 with a clear message', () => {
  const cases = [
    { name: 'poll: --once and --cycles together', args: ['poll', '--once', '--cycles', '2', '--no-store'], msg: 'poll: give --once or --cycles N, not both' },
    { name: 'poll: --cycles 0', args: ['poll', '--cycles', '0', '--no-store'], msg: '--cycles must be at least 1' },
    { name: 'poll: --interval not a number', args: ['poll', '--cycles', '2', '--interval', 'soon', '--no-store'], msg: "--interval must be a whole number (got 'soon')" },
    { name: 'poll: unknown --site', args: ['poll', '--site', 'no-such-site', '--no-store'], msg: 'poll: --site: unknown site id(s) no-such-site' },
    { name: 'probe: unknown site', args: ['probe', 'no-such-site'], msg: 'probe: no site "no-such-site"' },
    { name: 'simulate: unknown fault', args: ['simulate', '--sites', '3', '--faults', 'explode=1'], msg: '--faults: unknown fault "explode"' },
    { name: 'simulate: more faults than sites', args: ['simulate', '--sites', '2', '--faults', 'down=3'], msg: 'more faulty sites requested than the fleet has (2)' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = runCli(c.args, { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(c.msg);
      expect(r.stdout).toBe('');
    });
  }
});
