/**
 * The grouping wait (alerting.group_wait) on a fake clock: a site notice is held at most
 * group_wait, and only while another site of its commune is failing unconfirmed; a commune
 * incident that forms later is an update folding the site incidents already told, and its
 * resolved notice is the one message for them when they come back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/alerting/notice.js';
import { down, GROUP_ESCALATION, makeHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const summary = (n: Notice) => `${n.event} ${n.kind} ${n.site?.id ?? n.area.commune}`;
const folded = (n: Notice) => (n.folded ?? []).map((f) => `${f.id}${f.notified_before ? ' (told before)' : ''}`);

describe('group_wait: when a site notice goes out', () => {
  it('a single failure is notified on its confirming re-check, not held', async () => {
    h = makeHarness();
    await h.cycle();
    await h.cycle({ 'tt-3': down });
    const failedAt = h.clock.now();
    await h.recheck({ 'tt-3': down });
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing site-down tt-3']);
    expect(h.clock.now() - failedAt).toBeLessThanOrEqual(30_000);
    expect(sent[0]!.folded).toBeUndefined();
  });

  it('two sites of one commune confirmed together: ONE message naming both', async () => {
    h = makeHarness();
    await h.cycle();
    const two = { 'tt-1': down, 'tt-2': down };
    await h.cycle(two);
    await h.recheck(two);
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing site-down tt-1']);
    expect(folded(sent[0]!)).toEqual(['tt-2']);
    // both count as told: each resolves with its own notice
    await h.cycle();
    await h.cycle();
    expect(h.dispatcher.take().map(summary).sort()).toEqual(['resolved site-down tt-1', 'resolved site-down tt-2']);
  });

  it('the first confirmed waits for a peer still being re-checked, then one message', async () => {
    h = makeHarness();
    await h.cycle();
    await h.cycle({ 'tt-1': down, 'tt-2': down });
    await h.recheck({ 'tt-1': down });
    expect(h.dispatcher.take()).toEqual([]); // tt-2 failed its check, its re-check is on the way
    await h.recheck({ 'tt-2': down });
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing site-down tt-1']);
    expect(folded(sent[0]!)).toEqual(['tt-2']);
  });

  it('a peer whose re-check answers releases the held notice at once', async () => {
    h = makeHarness();
    await h.cycle();
    await h.cycle({ 'tt-1': down, 'tt-2': down });
    await h.recheck({ 'tt-1': down });
    expect(h.dispatcher.take()).toEqual([]);
    await h.recheck({ 'tt-2': {} });
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing site-down tt-1']);
    expect(sent[0]!.folded).toBeUndefined();
  });

  it('never held longer than group_wait, even when the peer is never re-checked', async () => {
    h = makeHarness({ alerting: { group_wait: '20s' } });
    await h.cycle();
    await h.cycle({ 'tt-1': down, 'tt-2': down });
    await h.recheck({ 'tt-1': down });
    const confirmedAt = h.clock.now();
    h.clock.advance(19_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
    h.clock.advance(1_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take().map(summary)).toEqual(['firing site-down tt-1']);
    expect(h.clock.now() - confirmedAt).toBe(20_000);
  });

  it('two failures in one commune 60 s apart: two notices, each at its own confirmation', async () => {
    h = makeHarness();
    await h.cycle();
    await h.cycle({ 'tt-1': down });
    await h.recheck({ 'tt-1': down });
    expect(h.dispatcher.take().map(summary)).toEqual(['firing site-down tt-1']);
    await h.cycle({ 'tt-1': down }); // +30 s
    await h.cycle({ 'tt-1': down, 'tt-2': down }); // +60 s
    await h.recheck({ 'tt-2': down });
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing site-down tt-2']);
    expect(sent[0]!.folded).toBeUndefined();
  });
});

describe('group_wait: a commune incident that forms later is an update', () => {
  it('sites told one by one, then the commune rule holds: one commune notice folding them', async () => {
    h = makeHarness();
    await h.cycle();
    await h.cycle({ 'ams-1': down });
    await h.recheck({ 'ams-1': down });
    expect(h.dispatcher.take().map(summary)).toEqual(['firing site-down ams-1']);
    await h.cycle({ 'ams-1': down, 'ams-2': down });
    await h.recheck({ 'ams-2': down });
    expect(h.dispatcher.take().map(summary)).toEqual(['firing site-down ams-2']);
    const dark = { 'ams-1': down, 'ams-2': down, 'ams-3': down };
    await h.cycle(dark);
    await h.recheck({ 'ams-3': down });
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing power-cut-suspected A Mú Sung']);
    expect(folded(sent[0]!)).toEqual(['ams-1 (told before)', 'ams-2 (told before)', 'ams-3']);
    // the folded incidents escalate through the commune incident only (default: province after 1 h)
    h.clock.advance(61 * 60_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take().map((n) => `${summary(n)} @${n.level}`)).toEqual(['escalated power-cut-suspected A Mú Sung @province']);
  });

  /** ams-1 and ams-2 told one by one, then ams-3: the commune incident folds the three. */
  async function foldThree(): Promise<void> {
    await h.cycle();
    await h.cycle({ 'ams-1': down });
    await h.recheck({ 'ams-1': down });
    await h.cycle({ 'ams-1': down, 'ams-2': down });
    await h.recheck({ 'ams-2': down });
    await h.cycle({ 'ams-1': down, 'ams-2': down, 'ams-3': down });
    await h.recheck({ 'ams-3': down });
    expect(h.dispatcher.take().map(summary)).toEqual(['firing site-down ams-1', 'firing site-down ams-2', 'firing power-cut-suspected A Mú Sung']);
  }

  it('all back: ONE resolved message, the commune incident\'s, naming the site incidents it folded', async () => {
    h = makeHarness();
    await foldThree();
    await h.cycle();
    await h.cycle();
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['resolved power-cut-suspected A Mú Sung']);
    expect(folded(sent[0]!)).toEqual(['ams-1 (told before)', 'ams-2 (told before)', 'ams-3']);
    expect(h.engine.repo.listIncidents({ open: true })).toEqual([]);
  });

  it('one back ends the commune incident: one message for it; the sites still down are on their own again', async () => {
    h = makeHarness();
    await foldThree();
    const still = { 'ams-2': down, 'ams-3': down };
    await h.cycle(still);
    await h.cycle(still); // ams-1 answers twice: 2 of 4 down is under the ratio
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['resolved power-cut-suspected A Mú Sung', 'firing site-down ams-3']);
    expect(folded(sent[0]!)).toEqual(['ams-1 (told before)']);
    await h.cycle();
    await h.cycle();
    expect(h.dispatcher.take().map(summary).sort()).toEqual(['resolved site-down ams-2', 'resolved site-down ams-3']);
  });

  it('a site escalated before the fold: the commune incident\'s resolved notice also reaches that level', async () => {
    h = makeHarness(GROUP_ESCALATION);
    await h.cycle();
    await h.cycle({ 'tt-1': down });
    await h.recheck({ 'tt-1': down });
    h.clock.advance(30 * 60_000);
    await (await h.engine.tick()).delivery;
    const at = (n: Notice) => `${summary(n)} @${n.level}`;
    expect(h.dispatcher.take().map(at)).toEqual(['firing site-down tt-1 @commune', 'escalated site-down tt-1 @group']);
    const dark = { 'tt-1': down, 'tt-2': down, 'tt-3': down, 'tt-4': down };
    await h.cycle(dark);
    await h.recheck({ 'tt-2': down, 'tt-3': down, 'tt-4': down });
    await h.cycle(dark); // tt-1 joins the open commune incident
    expect(h.dispatcher.take().map(at)).toEqual(['firing power-cut-suspected Trịnh Tường @commune']);
    expect(h.engine.repo.listIncidents({ open: true }).filter((i) => i.site_id === 'tt-1').map((i) => i.merged_into)).toEqual([expect.any(Number)]);
    await h.cycle();
    await h.cycle();
    expect(h.dispatcher.take().map(at)).toEqual(['resolved power-cut-suspected Trịnh Tường @commune', 'resolved power-cut-suspected Trịnh Tường @group']);
  });
});
