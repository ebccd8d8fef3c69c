import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { assignFaults, formatFault, parseFault, parseFaultSpec } from './faults.js';

describe('parseFault', () => {
  const cases = [
    { name: 'down', text: 'down', want: { kind: 'down' } },
    { name: 'slow default is beyond 2 s × 3 tries', text: 'slow', want: { kind: 'slow', delay_ms: 8000 } },
    { name: 'slow with delay', text: 'slow:4000', want: { kind: 'slow', delay_ms: 4000 } },
    { name: 'lossy default', text: 'lossy', want: { kind: 'lossy', p: 0.5 } },
    { name: 'lossy p', text: 'lossy:0.3', want: { kind: 'lossy', p: 0.3 } },
    { name: 'flapping period', text: 'flapping:15', want: { kind: 'flapping', period_s: 15 } },
    { name: 'reboot now', text: 'reboot', want: { kind: 'reboot', after_s: 0 } },
    { name: 'wrap after', text: 'wrap:8', want: { kind: 'wrap', after_s: 8 } },
  ];
  for (const c of cases) it(c.name, () => expect(parseFault(c.text)).toEqual(c.want));

  const bad = [
    { name: 'unknown kind', text: 'explode', msg: '--faults: unknown fault "explode" (expected one of down, flapping, slow, reboot, wrap, lossy)' },
    { name: 'probability above 1', text: 'lossy:3', msg: '--faults: "lossy:3": lossy probability must be between 0 and 1' },
    { name: 'not a number', text: 'slow:soon', msg: '--faults: "slow:soon": parameter must be a non-negative number' },
    { name: 'down takes nothing', text: 'down:1', msg: '--faults: "down:1": down takes no parameter' },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      expect(() => parseFault(c.text)).toThrow(InputError);
      expect(() => parseFault(c.text)).toThrow(c.msg);
    });
  }
});

describe('parseFaultSpec + assignFaults', () => {
  const ids = ['s-1', 's-2', 's-3', 's-4', 's-5'];
  it('counts take sites from the end; explicit sites stay where they are', () => {
    const m = assignFaults(parseFaultSpec('down=2, slow:3000@s-1 ,lossy:0.2'), ids);
    expect([...m.entries()].map(([id, f]) => `${id}=${formatFault(f)}`).sort()).toEqual([
      's-1=slow:3000', 's-3=lossy:0.2', 's-4=down', 's-5=down',
    ]);
  });
  it('empty spec: no fault', () => expect(assignFaults(parseFaultSpec(''), ids).size).toBe(0));
  it('unknown site', () => expect(() => assignFaults(parseFaultSpec('down@s-9'), ids)).toThrow('--faults: unknown site "s-9"'));
  it('more faults than sites', () => expect(() => assignFaults(parseFaultSpec('down=6'), ids)).toThrow('more faulty sites requested than the fleet has (5)'));
  it('bad count', () => expect(() => parseFaultSpec('down=0')).toThrow('count must be a positive integer'));
});
