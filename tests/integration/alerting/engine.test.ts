import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentRepo } from '../../../src/api/deps.js';
import { down, GROUP_ESCALATION, LINK_SECRET, makeHarness, PUBLIC_URL, type Harness } from './harness.js';
import { linkKey, verifyIncidentLink } from '../../../src/alerting/links.js';

let h: Harness;
afterEach(() => h?.close());

const summary = (n: { kind: string; event: string; level: string; site: { id: string } | null; area: { commune: string } }) =>
  `${n.event} ${n.kind} ${n.site?.id ?? n.area.commune} @${n.level}`;

describe('alert engine: one site', () => {
  it('down after check + re-check: one notice with everything a person needs; back up: one resolved notice', async () => {
    h = makeHarness();
    await h.cycle();
    expect(h.dispatcher.take()).toEqual([]);
    await h.cycle({ 'sp-1': down });
    expect(h.dispatcher.take()).toEqual([]);
    const out = await h.recheck({ 'sp-1': down });
    const [n, ...rest] = h.dispatcher.take();
    expect(rest).toEqual([]);
    expect(n).toMatchObject({
      kind: 'site-down', event: 'firing', level: 'commune', state: 'DOWN',
      site: { id: 'sp-1', name: 'Nhà văn hóa Sa Pả', commune: 'Sa Pả', group: 'Sa Pa', province: 'Lào Cai' },
      area: { commune: 'Sa Pả', group: 'Sa Pa', province: 'Lào Cai' },
      detail: 'no ping reply: 5 sent, 0 received, 2 checks',
      affected: [],
      lang: 'vi',
    });
    // a signed link to THIS incident's page, valid for alerting.link_expiry (7 days)
    const link = new RegExp(`^https://pointwatch\\.example\\.vn/s/(${n!.incident_id}\\.[0-9a-z]+\\.[A-Za-z0-9_-]{22})$`).exec(n!.runbook_url);
    expect(link, n!.runbook_url).not.toBeNull();
    expect(n!.ack_url).toBe(`${n!.runbook_url}/ack`);
    expect(n!.outcome_url).toBe(`${n!.runbook_url}/outcome`);
    const lookup = (id: number) => h.engine.repo.getIncident(id);
    expect(verifyIncidentLink(linkKey(LINK_SECRET), link![1]!, h.clock.now(), lookup)).toEqual({ ok: true, incident: n!.incident_id, expires_at: Math.floor((h.clock.now() + 7 * 86_400_000) / 1000) * 1000 });
    expect(verifyIncidentLink(linkKey(LINK_SECRET), link![1]!, h.clock.now() + 7 * 86_400_000, lookup)).toMatchObject({ ok: false, reason: 'expired' });

    expect(n!.since).toBe(h.clock.now() - 3000); // the first failed check
    expect(n!.recipients.map((r) => `${r.name}/${r.level}`)).toEqual(['Ông Páo/commune', 'Cán bộ VH Sa Pả/commune']);
    expect(out.states).toEqual([{ site: 'sp-1', ts: h.clock.now(), state: 'DOWN' }]);
    expect(out.events.map((e) => `${e.type} ${e.site}`)).toEqual(['transition sp-1', 'incident_open sp-1']);
    expect(h.engine.states().get('sp-1')).toEqual({ state: 'DOWN', since: h.clock.now(), detail: 'no ping reply: 5 sent, 0 received, 2 checks' });

    await h.cycle({ 'sp-1': down });
    expect(h.dispatcher.take()).toEqual([]); // still down: nothing new
    await h.cycle({ 'sp-1': { uptime_s: 3 * 86_400 } });
    await h.cycle();
    const [r, ...more] = h.dispatcher.take();
    expect(more).toEqual([]);
    expect(r).toMatchObject({ kind: 'site-down', event: 'resolved', incident_id: n!.incident_id, cause: 'link', state: 'UP', resolved_at: h.clock.now() });
    const inc = h.engine.repo.getIncident(n!.incident_id)!;
    expect(inc).toMatchObject({ cause: 'link', resolved_at: h.clock.now(), duration_s: 93 });
    expect(h.engine.repo.getNotice(r!.id)).toMatchObject({ status: 'dispatched', attempts: 1 });
    expect(PUBLIC_URL.endsWith('/')).toBe(true); // the trailing slash did not double in the links
    // deleting the incident (and everything recorded about it) revokes its links
    h.engine.repo.recordOutcome(n!.incident_id, { cause_found: 'x', actions: 'y', parts: null, by: 'z', via: 'link', at: h.clock.now() });
    expect(h.engine.repo.deleteIncident(n!.incident_id)).toBe(true);
    expect(h.engine.repo.getNotice(r!.id)).toBeNull();
    expect(h.engine.repo.outcome(n!.incident_id)).toBeNull();
    expect(verifyIncidentLink(linkKey(LINK_SECRET), link![1]!, h.clock.now(), lookup)).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('a 30%-loss 4G link raises DEGRADED (high-loss) and never a site-down', async () => {
    h = makeHarness();
    for (let i = 0; i < 10; i++) await h.cycle({ 'sp-1': { sent: 10, received: 7 } });
    expect(h.dispatcher.take().map((n) => `${summary(n)}: ${n.detail}`)).toEqual(['firing high-loss sp-1 @commune: loss_pct 30 > 20 for 3 checks']);
    expect(h.engine.states().get('sp-1')!.state).toBe('DEGRADED');
  });
});

describe('alert engine: flapping', () => {
  it('a link flipping for 20 minutes: the first outages, then ONE flapping notice; settled: one resolved', async () => {
    h = makeHarness();
    await h.cycle();
    for (let i = 0; i < 10; i++) {
      await h.cycle({ 'sp-1': down });
      await h.recheck({ 'sp-1': down });
      await h.cycle();
      await h.cycle();
    }
    const sent = h.dispatcher.take().map(summary);
    expect(sent.filter((s) => s.includes('flapping'))).toEqual(['firing flapping sp-1 @commune']);
    expect(sent.filter((s) => s.startsWith('firing site-down'))).toHaveLength(3);
    expect(sent.filter((s) => s.startsWith('resolved site-down'))).toHaveLength(3);
    h.clock.advance(30 * 60_000);
    await h.cycle();
    expect(h.dispatcher.take().map(summary)).toEqual(['resolved flapping sp-1 @commune']);
  });
});

describe('alert engine: dependencies', () => {
  it('a DOWN parent raises ONE incident listing every affected child; children send nothing', async () => {
    h = makeHarness();
    await h.cycle();
    const yty = { 'yty-hub': down, 'yty-nvh': down, 'yty-school': down, 'yty-far': down };
    await h.cycle(yty);
    await h.recheck(yty);
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing upstream-down yty-hub @commune']);
    expect(sent[0]!.runbook_url).toMatch(new RegExp(`^https://pointwatch\\.example\\.vn/s/${sent[0]!.incident_id}\\.`));
    expect(sent[0]!.affected).toEqual([
      { id: 'yty-nvh', name: 'Nhà văn hóa thôn Lao Chải' },
      { id: 'yty-school', name: 'Trường TH Y Tý' },
      { id: 'yty-far', name: 'Điểm thôn Ngải Thầu' },
    ]);
    for (const id of ['yty-nvh', 'yty-school', 'yty-far']) expect(h.engine.states().get(id)!.state).toBe('UNREACHABLE');
    expect(h.engine.repo.listIncidents({ open: true }).map((i) => `${i.kind} ${i.site_id}`)).toEqual(['upstream-down yty-hub']);
    for (let i = 0; i < 5; i++) await h.cycle(yty);
    expect(h.dispatcher.take()).toEqual([]);
  });

  it('parent back, a child still down: the child gets its own alert at once; every resolve is told', async () => {
    h = makeHarness();
    await h.cycle();
    const yty = { 'yty-hub': down, 'yty-nvh': down, 'yty-school': down, 'yty-far': down };
    await h.cycle(yty);
    await h.recheck(yty);
    const [hubFiring] = h.dispatcher.take();
    // the hub comes back; the cultural house (and the point behind it) stay dark
    await h.cycle({ 'yty-nvh': down, 'yty-far': down });
    expect(h.dispatcher.take()).toEqual([]); // up_after = 2
    await h.cycle({ 'yty-nvh': down, 'yty-far': down });
    const sent = h.dispatcher.take();
    expect(sent.map(summary).sort()).toEqual(['firing upstream-down yty-nvh @commune', 'resolved upstream-down yty-hub @commune']);
    const nvh = sent.find((n) => n.site?.id === 'yty-nvh')!;
    expect(nvh.affected).toEqual([{ id: 'yty-far', name: 'Điểm thôn Ngải Thầu' }]);
    expect(nvh.recipients.map((r) => r.name)).toEqual(['Chị Mai', 'Cán bộ VH xã Y Tý']);
    expect(sent.find((n) => n.event === 'resolved')!.incident_id).toBe(hubFiring!.incident_id);
    await h.cycle();
    await h.cycle();
    expect(h.dispatcher.take().map(summary)).toEqual(['resolved upstream-down yty-nvh @commune']);
  });

  it('suppression never uses up escalation: a child alerted after its parent escalates on its own clock', async () => {
    h = makeHarness(GROUP_ESCALATION);
    await h.cycle();
    const yty = { 'yty-hub': down, 'yty-nvh': down, 'yty-school': down, 'yty-far': down };
    await h.cycle(yty);
    await h.recheck(yty);
    // 40 minutes behind a dead hub: the hub escalates to the group, the children do not
    for (let i = 0; i < 80; i++) await h.cycle(yty);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take().map(summary)).toEqual(['firing upstream-down yty-hub @commune', 'escalated upstream-down yty-hub @group']);
    await h.cycle({ 'yty-nvh': down, 'yty-far': down });
    await h.cycle({ 'yty-nvh': down, 'yty-far': down });
    await (await h.engine.tick()).delivery;
    const sent = h.dispatcher.take().map(summary).sort();
    expect(sent).toEqual(['firing upstream-down yty-nvh @commune', 'resolved upstream-down yty-hub @commune', 'resolved upstream-down yty-hub @group']);
    h.clock.advance(29 * 60_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
    h.clock.advance(60_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take().map(summary)).toEqual(['escalated upstream-down yty-nvh @group']);
  });
});

describe('alert engine: escalation and acknowledgement', () => {
  it('unacknowledged, default settings: commune -> province after 1 h, once, no district or group; resolved goes to both', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    const [first] = h.dispatcher.take();
    h.clock.advance(59 * 60_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
    h.clock.advance(60_000);
    await (await h.engine.tick()).delivery;
    const province = h.dispatcher.take();
    expect(province.map(summary)).toEqual(['escalated site-down sp-1 @province']);
    expect(province[0]!.recipients).toEqual([{ name: 'Sở VH Lào Cai', email: 'so.vh@example.vn', lang: 'en', level: 'province' }]);
    h.clock.advance(10 * 3600_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
    await h.cycle();
    await h.cycle();
    expect(h.dispatcher.take().map(summary)).toEqual(['resolved site-down sp-1 @commune', 'resolved site-down sp-1 @province']);
    expect(h.engine.repo.getIncident(first!.incident_id)!.escalated).toEqual(['province']);
  });

  it('unacknowledged, a province with groups: group after 30 min, province after 2 h, each once; resolved goes to every level told', async () => {
    h = makeHarness(GROUP_ESCALATION);
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    const [first] = h.dispatcher.take();
    h.clock.advance(30 * 60_000);
    await (await h.engine.tick()).delivery;
    await (await h.engine.tick()).delivery;
    const group = h.dispatcher.take();
    expect(group.map(summary)).toEqual(['escalated site-down sp-1 @group']);
    expect(group[0]!.recipients).toEqual([{ name: 'Cụm VH Sa Pa', email: 'cum.sapa@example.vn', level: 'group' }]);
    h.clock.advance(90 * 60_000);
    await (await h.engine.tick()).delivery;
    const province = h.dispatcher.take();
    expect(province.map(summary)).toEqual(['escalated site-down sp-1 @province']);
    expect(province[0]!.recipients).toEqual([{ name: 'Sở VH Lào Cai', email: 'so.vh@example.vn', lang: 'en', level: 'province' }]);
    h.clock.advance(10 * 3600_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
    await h.cycle();
    await h.cycle();
    expect(h.dispatcher.take().map(summary)).toEqual(['resolved site-down sp-1 @commune', 'resolved site-down sp-1 @group', 'resolved site-down sp-1 @province']);
    expect(h.engine.repo.getIncident(first!.incident_id)!.escalated).toEqual(['group', 'province']);
  });

  it('acknowledged: no escalation; runbook progress is kept as a training record', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    const [n] = h.dispatcher.take();
    const repo = h.engine.repo;
    repo.acknowledge(n!.incident_id, 'pao', 'đang đến nhà văn hóa');
    repo.acknowledge(n!.incident_id, 'someone-else', 'late');
    repo.recordStep(n!.incident_id, { step: 1, done: true, by: 'pao', at: h.clock.now(), note: 'đèn PWR tắt' });
    repo.recordStep(n!.incident_id, { step: 2, done: false, by: 'pao', at: h.clock.now() + 1, note: null });
    repo.recordStep(n!.incident_id, { step: 2, done: true, by: 'pao', at: h.clock.now() + 2, note: 'bật lại ổ cắm', outcome: 'router lên lại' });
    h.clock.advance(3 * 3600_000);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
    expect(repo.getIncident(n!.incident_id)).toMatchObject({ acknowledged_by: 'pao', ack_note: 'đang đến nhà văn hóa' });
    expect(repo.steps(n!.incident_id)).toEqual([
      { step: 1, done: true, by: 'pao', at: expect.any(Number), note: 'đèn PWR tắt', outcome: null },
      { step: 2, done: true, by: 'pao', at: expect.any(Number), note: 'bật lại ổ cắm', outcome: 'router lên lại' },
    ]);
    expect(repo.stepHistory(n!.incident_id)).toHaveLength(3);
  });
});

describe('alert engine: commune outages', () => {
  it('3 of 4 sites of a commune down together: one commune incident replaces the storm; power confirmed at recovery', async () => {
    h = makeHarness();
    await h.cycle();
    const dark = { 'ams-1': down, 'ams-2': down, 'ams-3': down };
    await h.cycle(dark);
    await h.recheck(dark);
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing power-cut-suspected A Mú Sung @commune']);
    expect(sent[0]!.site).toBeNull();
    expect(sent[0]!.detail).toBe('3 of 4 sites down within 3m (75% >= 60%): power cut suspected');
    expect(sent[0]!.affected.map((a) => a.id)).toEqual(['ams-1', 'ams-2', 'ams-3']);
    expect(sent[0]!.runbook_url).toMatch(new RegExp(`^https://pointwatch\\.example\\.vn/s/${sent[0]!.incident_id}\\.`));
    for (let i = 0; i < 4; i++) await h.cycle(dark);
    expect(h.dispatcher.take()).toEqual([]);
    // power back: the routers booted 90 s ago
    await h.cycle({ 'ams-1': { rebooted: true, uptime_s: 90 }, 'ams-2': { rebooted: true, uptime_s: 90 }, 'ams-3': { rebooted: true, uptime_s: 90 } });
    await h.cycle();
    const back = h.dispatcher.take();
    expect(back.map(summary)).toEqual(['resolved power-cut-suspected A Mú Sung @commune']);
    expect(back[0]!.cause).toBe('power');
  });

  it('two of five down together: not held for the window, told at once in one message (group_wait)', async () => {
    h = makeHarness();
    await h.cycle();
    const two = { 'tt-1': down, 'tt-2': down };
    await h.cycle(two);
    await h.recheck(two);
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['firing site-down tt-1 @commune']);
    expect(sent[0]!.folded?.map((f) => f.id)).toEqual(['tt-2']);
    for (let i = 0; i < 6; i++) await h.cycle(two); // 3 minutes: nothing more
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
  });

  it('a lone outage in a big commune is not held', async () => {
    h = makeHarness();
    await h.cycle();
    await h.cycle({ 'tt-3': down });
    await h.recheck({ 'tt-3': down });
    expect(h.dispatcher.take().map(summary)).toEqual(['firing site-down tt-3 @commune']);
  });
});

describe('alert engine: maintenance', () => {
  it('silent inside a window; still down when it ends → told at once', async () => {
    h = makeHarness();
    const start = h.clock.now();
    h.engine.repo.createMaintenance({ sites: [], communes: ['Sa Pả'], groups: [], start, end: start + 10 * 60_000, reason: 'cắt điện theo lịch', created_by: 'admin' });
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    for (let i = 0; i < 10; i++) await h.cycle({ 'sp-1': down });
    expect(h.dispatcher.take()).toEqual([]);
    expect(h.engine.states().get('sp-1')!.state).toBe('MAINTENANCE');
    h.clock.set(start + 10 * 60_000);
    const out = await h.engine.tick();
    await out.delivery;
    expect(h.dispatcher.take().map(summary)).toEqual(['firing site-down sp-1 @commune']);
    expect(out.events.map((e) => `${e.type} ${e.fields.from_state ?? ''}->${e.fields.to_state ?? ''}`)).toContain('transition MAINTENANCE->DOWN');
  });
});

describe('alert engine: restarts and failed dispatches', () => {
  it('a restart keeps the open incident and sends nothing twice', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    const [firing] = h.dispatcher.take();
    h.restart();
    expect(h.engine.states().get('sp-1')!.state).toBe('DOWN');
    await (await h.engine.tick()).delivery;
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    expect(h.dispatcher.take()).toEqual([]);
    expect(h.engine.repo.listIncidents({ open: true }).map((i) => i.id)).toEqual([firing!.incident_id]);
    h.restart();
    await h.cycle();
    await h.cycle();
    const [resolved, ...rest] = h.dispatcher.take();
    expect(rest).toEqual([]);
    expect(resolved).toMatchObject({ event: 'resolved', incident_id: firing!.incident_id });
  });

  it('a failed dispatch is recorded and retried by tick, once', async () => {
    h = makeHarness();
    h.dispatcher.failNext = 1;
    await h.cycle({ 'sp-1': down });
    const out = await h.recheck({ 'sp-1': down });
    expect(await out.delivery).toEqual([{ id: expect.stringMatching(/^incident-\d+-firing-commune$/), ok: false, error: 'channel down: connect ECONNREFUSED 127.0.0.1:9' }]);
    const id = out.notices[0]!;
    expect(h.dispatcher.take()).toEqual([]);
    expect(h.engine.repo.getNotice(id)).toMatchObject({ status: 'failed', attempts: 1, last_error: 'channel down: connect ECONNREFUSED 127.0.0.1:9' });
    await (await h.engine.tick()).delivery;
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take().map((n) => n.id)).toEqual([id]);
    expect(h.engine.repo.getNotice(id)).toMatchObject({ status: 'dispatched', attempts: 2 });
  });

  it('a slow channel never holds up polling; a tick meanwhile does not send it twice', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down });
    let release!: () => void;
    const real = h.dispatcher.dispatch.bind(h.dispatcher);
    h.dispatcher.dispatch = (n) => new Promise<void>((r) => { release = r; }).then(() => real(n));
    h.clock.advance(3000);
    const out = await h.engine.ingest(h.recheckChecks({ 'sp-1': down })); // returns while the channel hangs
    expect(out.notices).toHaveLength(1);
    expect(h.engine.repo.getNotice(out.notices[0]!)!.status).toBe('pending');
    await (await h.engine.tick()).delivery; // in flight: not dispatched again
    release();
    await out.delivery;
    await h.engine.drain();
    expect(h.dispatcher.take().map((n) => n.id)).toEqual(out.notices);
    expect(h.engine.repo.getNotice(out.notices[0]!)).toMatchObject({ status: 'dispatched', attempts: 1 });
  });

  it('a crash after recording, before dispatching: the restarted engine sends it with the same id', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down });
    // the process dies inside dispatch: a dispatcher that never returns, then the database is closed
    const real = h.dispatcher.dispatch.bind(h.dispatcher);
    h.dispatcher.dispatch = () => new Promise(() => undefined);
    h.clock.advance(3000);
    const out = await h.engine.ingest(h.recheckChecks({ 'sp-1': down }));
    const pending = h.engine.repo.undispatched();
    expect(pending.map((p) => [p.notice_id, p.status])).toEqual([[out.notices[0], 'pending']]);
    h.dispatcher.dispatch = real;
    h.restart();
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take().map((n) => n.id)).toEqual([pending[0]!.notice_id]);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
  });
});

describe('alert engine: resolved notices survive a restart', () => {
  it('a resolved notice that reached nobody before a restart is sent again; one that reached someone is not', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down, 'tt-3': down });
    await h.recheck({ 'sp-1': down, 'tt-3': down });
    h.dispatcher.take();
    await h.cycle();
    await h.cycle();
    const resolved = h.dispatcher.take();
    expect(resolved.map(summary).sort()).toEqual(['resolved site-down sp-1 @commune', 'resolved site-down tt-3 @commune']);
    const [a, b] = resolved.sort((x, y) => (x.id < y.id ? -1 : 1));
    // what the notifiers recorded: every channel failed for one, one channel worked for the other
    h.engine.repo.recordDeliveryResults(a!, [{ notifier: 'mail', recipient: 'x@example.vn', ok: false, error: 'ECONNREFUSED' }, { notifier: 'ops', recipient: 'ops', ok: false, error: 'HTTP 503' }]);
    h.engine.repo.recordDeliveryResults(b!, [{ notifier: 'mail', recipient: 'x@example.vn', ok: false, error: 'ECONNREFUSED' }, { notifier: 'ops', recipient: 'ops', ok: true }]);
    h.restart();
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take().map((n) => n.id)).toEqual([a!.id]);
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
  });
});

describe('alert engine: time', () => {
  it('the clock jumping back an hour mid-outage: no second alert, no early escalation, one resolve', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    const [firing] = h.dispatcher.take();
    h.clock.advance(-3600_000);
    for (let i = 0; i < 5; i++) await h.cycle({ 'sp-1': down });
    await (await h.engine.tick()).delivery;
    expect(h.dispatcher.take()).toEqual([]);
    await h.cycle();
    await h.cycle();
    const sent = h.dispatcher.take();
    expect(sent.map(summary)).toEqual(['resolved site-down sp-1 @commune']);
    expect(sent[0]!.incident_id).toBe(firing!.incident_id);
    const inc = h.engine.repo.getIncident(firing!.incident_id)!;
    expect(inc.duration_s).toBeGreaterThanOrEqual(0);
    expect(h.engine.repo.listIncidents({})).toHaveLength(1);
  });
});

describe('alert engine: inventory changes', () => {
  it('a site removed from the inventory: its open incident is resolved and the people told', async () => {
    h = makeHarness();
    await h.cycle({ 'sp-1': down });
    await h.recheck({ 'sp-1': down });
    const [firing] = h.dispatcher.take();
    const inv = h.engine.states().size;
    const { inventory } = await import('./harness.js');
    h.engine.setInventory({ ...inventory, sites: inventory.sites.filter((s) => s.id !== 'sp-1') });
    expect(h.engine.states().size).toBe(inv - 1);
    await (await h.engine.tick()).delivery;
    const [resolved, ...rest] = h.dispatcher.take();
    expect(rest).toEqual([]);
    expect(resolved).toMatchObject({ event: 'resolved', incident_id: firing!.incident_id, detail: 'no ping reply: 5 sent, 0 received, 2 checks; the site was removed from the inventory' });
    expect(h.engine.repo.listIncidents({ open: true })).toEqual([]);
  });
});

describe('incident repository', () => {
  it('has the shape the API expects (IncidentRepo) and filters by open and commune', async () => {
    h = makeHarness();
    const repo: IncidentRepo = h.engine.repo; // compile-time check of the contract
    await h.cycle({ 'sp-1': down, 'tt-3': down });
    await h.recheck({ 'sp-1': down, 'tt-3': down });
    expect((await repo.listIncidents({ includeResolved: false })).map((i) => i.site_id).sort()).toEqual(['sp-1', 'tt-3']);
    expect(h.engine.repo.listIncidents({ communes: ['Sa Pả'] }).map((i) => i.site_id)).toEqual(['sp-1']);
    expect(h.engine.repo.listIncidents({ limit: 1, offset: 1 })).toHaveLength(1);
    await h.cycle();
    await h.cycle();
    expect(h.engine.repo.listIncidents({ open: true })).toEqual([]);
    expect(h.engine.repo.listIncidents({ open: false })).toHaveLength(2);
    const w = await repo.createMaintenance({ sites: ['sp-1'], communes: [], groups: [], start: 1, end: 2, reason: 'x', created_by: 'a' }, 5);
    expect((await repo.listMaintenance()).map((m) => m.id)).toEqual([w.id]);
    expect(await repo.deleteMaintenance(w.id)).toBe(true);
  });
});
