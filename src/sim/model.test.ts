import { describe, expect, it } from 'vitest';
import { RouterModel, ifRates, isFlapDown, routerSpec, usageFactor } from './model.js';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0); // 19:00 in Vietnam: evening peak
const spec = (i: number) => routerSpec(i, { id: `sim-${i}`, port: 20000 + i, host: '127.0.0.1' });

describe('usage curve', () => {
  it('evening is busier than the small hours', () => {
    const night = usageFactor(Date.UTC(2026, 0, 10, 20, 0)); // 03:00 local
    const evening = usageFactor(Date.UTC(2026, 0, 10, 12, 0)); // 19:00 local
    expect(evening).toBeGreaterThan(night * 10);
  });
  it('stays within 0..1 all day', () => {
    for (let m = 0; m < 24 * 60; m += 7) {
      const u = usageFactor(T0 + m * 60_000);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThanOrEqual(1);
    }
  });
});

describe('fleet layout', () => {
  it('mixes fibre and 4G, 32-bit-only and v3 devices, 3-4 interfaces with the WAN first', () => {
    const specs = Array.from({ length: 40 }, (_, i) => spec(i));
    expect(specs.some((s) => s.uplink === 'fibre')).toBe(true);
    expect(specs.some((s) => s.uplink === '4g')).toBe(true);
    expect(specs.some((s) => !s.hc)).toBe(true);
    expect(specs.some((s) => s.v3)).toBe(true);
    for (const s of specs) {
      expect(s.interfaces.length).toBeGreaterThanOrEqual(3);
      expect(s.interfaces.length).toBeLessThanOrEqual(4);
      expect(s.interfaces[0]!.role).toBe('wan');
      const wan = s.interfaces[0]!.speed_bps;
      if (s.uplink === 'fibre') expect(wan).toBe(100_000_000);
      else expect(wan).toBeGreaterThanOrEqual(20_000_000), expect(wan).toBeLessThanOrEqual(50_000_000);
    }
  });
  it('is deterministic', () => expect(spec(7)).toEqual(spec(7)));
});

describe('RouterModel', () => {
  it('uptime counts in centiseconds', () => {
    const m = new RouterModel(spec(1), T0);
    const a = m.uptimeTicks(T0);
    expect(m.uptimeTicks(T0 + 10_000) - a).toBe(1000);
  });

  it('octet counters move at a rate never above the interface speed', () => {
    for (const i of [0, 1, 3, 6]) {
      const m = new RouterModel(spec(i), T0);
      for (const iface of m.spec.interfaces) {
        const before = m.counters.get(iface.index)!.in_octets;
        m.advance(T0 + 30_000);
        const after = m.counters.get(iface.index)!.in_octets;
        const mod = m.spec.hc ? 1n << 64n : 1n << 32n;
        const delta = (after - before + mod) % mod;
        const bps = (Number(delta) * 8) / 30;
        expect(bps).toBeLessThanOrEqual(iface.speed_bps);
        m.advance(T0); // no-op backwards
      }
      const r = ifRates(m.spec, m.spec.interfaces[0]!, T0);
      expect(r.in * 8).toBeLessThanOrEqual(0.95 * m.spec.interfaces[0]!.speed_bps + 1);
    }
  });

  it('reboot: uptime and counters start from zero', () => {
    const m = new RouterModel(spec(2), T0);
    m.setFault({ kind: 'reboot', after_s: 0 }, T0 + 1000);
    expect(m.uptimeTicks(T0 + 1000)).toBe(0);
    expect(m.counters.get(1)!.in_octets).toBe(0n);
    expect(m.reboots).toBe(1);
  });

  it('reboot after a delay happens when time gets there', () => {
    const m = new RouterModel(spec(2), T0);
    m.setFault({ kind: 'reboot', after_s: 10 }, T0);
    m.advance(T0 + 9_000);
    expect(m.reboots).toBe(0);
    m.advance(T0 + 11_000);
    expect(m.reboots).toBe(1);
    expect(m.uptimeTicks(T0 + 11_000)).toBeLessThanOrEqual(100);
  });

  it('wrap: a 32-bit counter passes 2^32 within the given seconds', () => {
    const s = spec(3); // i % 7 === 3: 32-bit only
    expect(s.hc).toBe(false);
    const m = new RouterModel(s, T0);
    m.setFault({ kind: 'wrap', after_s: 5 }, T0);
    const before = m.counters.get(1)!.in_octets;
    expect(before).toBeGreaterThan((1n << 32n) - 100_000_000n);
    m.advance(T0 + 10_000);
    expect(m.counters.get(1)!.in_octets).toBeLessThan(before);
  });

  it('decides per fault: down drops, slow delays, lossy drops a share, flapping alternates', () => {
    const m = new RouterModel(spec(4), T0);
    expect(m.decide(T0, 0.1)).toEqual({ action: 'answer' });
    m.setFault({ kind: 'down' }, T0);
    expect(m.decide(T0, 0.99)).toEqual({ action: 'drop' });
    m.setFault({ kind: 'slow', delay_ms: 7000 }, T0);
    expect(m.decide(T0, 0.5)).toEqual({ action: 'delay', ms: 7000 });
    m.setFault({ kind: 'lossy', p: 0.3 }, T0);
    expect(m.decide(T0, 0.2)).toEqual({ action: 'drop' });
    expect(m.decide(T0, 0.4)).toEqual({ action: 'answer' });
    m.setFault({ kind: 'flapping', period_s: 10 }, T0);
    expect(m.decide(T0 + 5_000, 0)).toEqual({ action: 'drop' });
    expect(m.decide(T0 + 15_000, 0)).toEqual({ action: 'answer' });
    expect(isFlapDown(10, 25_000)).toBe(true);
  });

  it('network faults of a namespace site are left to iptables; slow stays in the agent', () => {
    const m = new RouterModel(spec(5), T0);
    m.faultsOnNetwork = true;
    m.setFault({ kind: 'down' }, T0);
    expect(m.decide(T0, 0)).toEqual({ action: 'answer' });
    m.setFault({ kind: 'slow', delay_ms: 9000 }, T0);
    expect(m.decide(T0, 0)).toEqual({ action: 'delay', ms: 9000 });
  });
});
