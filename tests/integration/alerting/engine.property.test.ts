/**
 * The engine over random outage histories (fast-check) on the harness province: parents and
 * children, communes big and small, maintenance windows, a failing channel, restarts. When
 * everything is back up and ticks have run: every incident anybody was told about has had its
 * resolved notice (its own, or that of the commune incident it was folded into), nothing is
 * still open, and no notice id was delivered twice.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { inventory, makeHarness, type Harness } from './harness.js';

const IDS = inventory.sites.map((s) => s.id);

const cycleArb = fc.record({
  down: fc.subarray(IDS, { maxLength: 8 }),
  recheck: fc.boolean(),
  failDispatch: fc.boolean(),
  restart: fc.boolean(),
  window: fc.option(fc.constantFrom('Sa Pả', 'Y Tý', 'A Mú Sung'), { freq: 6 }),
});

let h: Harness | undefined;
afterEach(() => { h?.close(); h = undefined; });

describe('engine invariants (random histories)', () => {
  it('every notified incident gets its resolved notice; nothing left open; no notice delivered twice', async () => {
    await fc.assert(fc.asyncProperty(fc.array(cycleArb, { minLength: 1, maxLength: 25 }), async (cycles) => {
      h?.close();
      h = makeHarness();
      for (const c of cycles) {
        if (c.window) {
          const now = h.clock.now();
          h.engine.repo.createMaintenance({ sites: [], communes: [c.window], groups: [], start: now, end: now + 90_000, reason: 'random', created_by: 'prop' });
        }
        h.dispatcher.failNext = c.failDispatch ? 1 : 0;
        const specs = Object.fromEntries(c.down.map((id) => [id, { received: 0 }]));
        await h.cycle(specs);
        if (c.recheck && c.down.length) await h.recheck(specs);
        if (c.restart) h.restart();
        await (await h.engine.tick()).delivery;
      }
      // everything comes back; windows end; flapping settles (its window is 30 min); ticks retry what failed
      h.dispatcher.failNext = 0;
      h.clock.advance(35 * 60_000);
      for (let i = 0; i < 3; i++) {
        await h.cycle();
        await (await h.engine.tick()).delivery;
      }
      await (await h.engine.tick()).delivery;

      const sent = h.dispatcher.sent;
      const ids = sent.map((n) => n.id);
      expect(ids.length).toBe(new Set(ids).size);
      expect(h.engine.repo.listIncidents({ open: true }).map((i) => `${i.kind} ${i.site_id ?? i.commune}`)).toEqual([]);
      // a firing notice tells its own incident and those it speaks for (its group: group_wait)
      const firing = new Set(sent.filter((n) => n.event === 'firing' && n.kind !== 'rebooted').flatMap((n) => [n.incident_id, ...(n.folded ?? []).filter((f) => n.site !== null).map((f) => f.incident_id)]));
      // a resolved notice resolves its own incident and, on a commune incident, the told site incidents it folded
      const resolved = new Set(sent.filter((n) => n.event === 'resolved').flatMap((n) => [n.incident_id, ...(n.folded ?? []).filter((f) => n.site === null && f.notified_before).map((f) => f.incident_id)]));
      expect([...firing].filter((id) => !resolved.has(id))).toEqual([]);
      expect([...resolved].filter((id) => !firing.has(id))).toEqual([]);
      expect(h.engine.repo.undispatched()).toEqual([]);
      for (const s of h.engine.states().values()) expect(s.state).toBe('UP');
    }), { numRuns: Number(process.env.PW_PROPERTY_RUNS ?? 20) });
  });
});
