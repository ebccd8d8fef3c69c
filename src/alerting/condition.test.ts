import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import type { Lang } from '../config/schema.js';
import { evaluateCommunes } from './commune.js';
import { parseDetail, renderConditions, type Condition } from './condition.js';
import { initialSiteState, reduceSite, type SiteAlertState } from './reducer.js';
import { check, site, T0, type CheckSpec } from './testkit.js';
import { ENGLISH_WORDS, englishWordsIn } from '../core/english-words.js';

const settings = settingsWithDefaults({});

describe('parseDetail: the engine grammar as structured fields', () => {
  const cases: Array<{ name: string; detail: string; want: Condition[]; vi: string; en: string }> = [
    {
      name: 'no reply, two checks', detail: 'no ping reply: 5 sent, 0 received, 2 checks',
      want: [{ k: 'no_reply', sent: 5, checks: 2 }],
      vi: 'không phản hồi: gửi 5 gói, nhận 0 trong 2 lần kiểm tra liên tiếp', en: 'no reply: 5 sent, 0 received for 2 checks in a row',
    },
    {
      name: 'no reply with a reason: the reason (English from fping) is dropped', detail: 'no ping reply: 5 sent, 0 received, 3 checks (host unreachable)',
      want: [{ k: 'no_reply', sent: 5, checks: 3 }],
      vi: 'không phản hồi: gửi 5 gói, nhận 0 trong 3 lần kiểm tra liên tiếp', en: 'no reply: 5 sent, 0 received for 3 checks in a row',
    },
    {
      name: 'a push site silent past its deadline', detail: 'no push report for 150 s (every 60 s expected)',
      want: [{ k: 'no_push', late_s: 150, interval_s: 60, checks: null }],
      vi: 'không nhận được báo cáo trong 150 giây (mỗi 60 giây phải có một báo cáo)', en: 'no report for 150 s (one expected every 60 s)',
    },
    {
      name: 'weak 4G signal on two figures', detail: 'rsrp_dbm -118 < -110, sinr_db -2.5 < 0 for 3 checks',
      want: [{ k: 'lte_low', figures: [{ name: 'rsrp_dbm', value: -118, limit: -110 }, { name: 'sinr_db', value: -2.5, limit: 0 }], checks: 3 }],
      vi: 'sóng 4G yếu: RSRP -118 dBm (ngưỡng -110), SINR -2,5 dB (ngưỡng 0) trong 3 lần kiểm tra liên tiếp',
      en: 'weak 4G signal: RSRP -118 dBm (limit -110), SINR -2.5 dB (limit 0) for 3 checks in a row',
    },
    {
      name: 'data package used up', detail: 'quota_exhausted: the router reports its data package used up for 2 checks',
      want: [{ k: 'quota', checks: 2 }],
      vi: 'thiết bị báo đã hết dung lượng gói cước trong 2 lần kiểm tra liên tiếp', en: 'the router reports its data package used up for 2 checks in a row',
    },
    {
      name: 'loss with decimals (vi decimal comma)', detail: 'loss_pct 42.5 > 20 for 3 checks',
      want: [{ k: 'loss', value: 42.5, limit: 20, checks: 3 }],
      vi: 'mất gói 42,5% (ngưỡng 20%) trong 3 lần kiểm tra liên tiếp', en: 'packet loss 42.5% (limit 20%) for 3 checks in a row',
    },
    {
      name: 'two conditions at once', detail: 'rtt_avg_ms 812 > 300 for 3 checks; snmp timeout while ping answers for 3 checks',
      want: [{ k: 'rtt', value: 812, limit: 300, checks: 3 }, { k: 'snmp', status: 'timeout', checks: 3 }],
      vi: 'độ trễ trung bình 812 ms (ngưỡng 300 ms) trong 3 lần kiểm tra liên tiếp; thiết bị không trả lời truy vấn thông số (hết thời gian chờ) dù vẫn phản hồi kết nối trong 3 lần kiểm tra liên tiếp',
      en: 'average latency 812 ms (limit 300 ms) for 3 checks in a row; the router does not answer SNMP (timed out) although it answers pings for 3 checks in a row',
    },
    {
      name: 'WAN down, admin down', detail: 'wan ether1 oper down (admin down) for 3 checks',
      want: [{ k: 'wan_down', iface: 'ether1', admin_down: true, checks: 3 }],
      vi: 'cổng WAN ether1 bị ngắt (bị tắt trong cấu hình) trong 3 lần kiểm tra liên tiếp', en: 'WAN interface ether1 down (disabled in the configuration) for 3 checks in a row',
    },
    {
      name: 'saturation', detail: 'saturation_pct 95 > 90 on wan lte1 for 3 checks',
      want: [{ k: 'saturation', value: 95, limit: 90, iface: 'lte1', checks: 3 }],
      vi: 'cổng WAN lte1 dùng 95% băng thông (ngưỡng 90%) trong 3 lần kiểm tra liên tiếp', en: 'WAN lte1 at 95% of its bandwidth (limit 90%) for 3 checks in a row',
    },
    {
      name: 'flapping: the window as a duration', detail: '6 state changes in 30m',
      want: [{ k: 'state_changes', n: 6, window: '30m', settled: false }],
      vi: '6 lần đổi trạng thái trong 30 phút', en: '6 state changes in 30 min',
    },
    {
      name: 'resolved site-down', detail: 'no ping reply: 5 sent, 0 received, 2 checks; replies again after no ping reply: 5 sent, 0 received, 9 checks',
      want: [{ k: 'no_reply', sent: 5, checks: 2 }, { k: 'replies_again', after: [{ k: 'no_reply', sent: 5, checks: 9 }] }],
      vi: 'không phản hồi: gửi 5 gói, nhận 0 trong 2 lần kiểm tra liên tiếp; phản hồi trở lại sau sự cố (không phản hồi: gửi 5 gói, nhận 0 trong 9 lần kiểm tra liên tiếp)',
      en: 'no reply: 5 sent, 0 received for 2 checks in a row; answers again after the outage (no reply: 5 sent, 0 received for 9 checks in a row)',
    },
    {
      name: 'commune outage, power', detail: '3 of 4 sites down within 3m (75% >= 60%): power cut suspected',
      want: [{ k: 'commune_down', n: 3, total: 4, window: '3m', pct: 75, ratio: 60, upstream: null, suspected: true }],
      vi: '3/4 điểm mất kết nối trong vòng 3 phút (75%, ngưỡng 60%): nghi mất điện', en: '3 of 4 sites down within 3 min (75%, threshold 60%): power cut suspected',
    },
    {
      name: 'commune outage, upstream', detail: '3 of 3 sites down within 3m (100% >= 60%): upstream link suspected (all behind yty-hub)',
      want: [{ k: 'commune_down', n: 3, total: 3, window: '3m', pct: 100, ratio: 60, upstream: 'yty-hub', suspected: true }],
      vi: '3/3 điểm mất kết nối trong vòng 3 phút (100%, ngưỡng 60%): nghi mất đường truyền tuyến trên (đều phía sau yty-hub)',
      en: '3 of 3 sites down within 3 min (100%, threshold 60%): upstream link suspected (all behind yty-hub)',
    },
    {
      name: 'a reboot between checks', detail: 'router rebooted at 2026-11-22T00:40:00.000Z (power blip?); informational: back up by the next check',
      want: [{ k: 'rebooted_at', at: Date.UTC(2026, 10, 22, 0, 40) }, { k: 'informational' }],
      vi: 'thiết bị khởi động lại lúc 07:40 (có thể do chập điện); chỉ để biết: đã hoạt động lại ở lần kiểm tra sau',
      en: 'the router restarted at 07:40 (power blip?); for information: back up by the next check',
    },
    {
      name: 'unknown text: shown in en, pointed to in vi', detail: 'something new from a later version',
      want: [{ k: 'other', text: 'something new from a later version' }],
      vi: 'xem chi tiết kỹ thuật trên trang sự cố', en: 'something new from a later version',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(parseDetail(c.detail)).toEqual(c.want);
      expect(renderConditions(parseDetail(c.detail), 'vi')).toBe(c.vi);
      expect(renderConditions(parseDetail(c.detail), 'en')).toBe(c.en);
    });
  }
});

/** Every detail the reducer and the commune rule write, from real scenarios. */
function reducerDetails(): string[] {
  const out = new Set<string>();
  const scenarios: Array<{ uplink?: 'fibre' | '4g'; steps: CheckSpec[] }> = [
    { steps: [{}, { received: 0 }, { received: 0, recheck: true }, { received: 0 }, {}, {}] },
    { steps: [{}, { received: 2 }, { received: 2 }, { received: 2 }, {}, {}] },
    { steps: [{}, { rtt: 900 }, { rtt: 900 }, { rtt: 900 }, {}, {}] },
    { steps: [{}, { snmp: 'timeout' }, { snmp: 'timeout' }, { snmp: 'timeout' }, {}, {}] },
    { steps: [{ wan: {} }, { wan: { oper_up: false, admin_up: false } }, { wan: { oper_up: false } }, { wan: { oper_up: false } }, { wan: {} }, { wan: {} }] },
    { steps: [{ wan: {} }, { wan: { in_bps: 99e6 } }, { wan: { in_bps: 99e6 } }, { wan: { in_bps: 99e6 } }, { wan: {} }, { wan: {} }] },
    { steps: [{}, ...Array.from({ length: 16 }, (_, i): CheckSpec => (i % 4 < 2 ? { received: 0 } : {}))] },
    { steps: [{}, { unknown: 'fping exited 3' }, { pingError: 'socket: operation not permitted' }] },
  ];
  for (const sc of scenarios) {
    const s = site('a', { uplink: sc.uplink ?? '4g' });
    let st: SiteAlertState = initialSiteState(s.id, T0 - 1);
    let ts = T0;
    sc.steps.forEach((spec, i) => {
      ts += spec.recheck ? 3000 : 30_000;
      const r = reduceSite(st, check(s.id, { ts, cycle: i + 1, ...spec }), { site: s, settings, now: ts, parentDown: false, inMaintenance: false });
      st = r.state;
      out.add(st.detail);
      for (const e of r.effects) if ('detail' in e) out.add(e.detail);
    });
  }
  const views = [1, 2, 3, 4].map((i) => ({ id: `s${i}`, commune: 'C', district: 'D', province: 'P', downSince: i < 4 ? T0 : null, ancestors: [] }));
  const d = evaluateCommunes(views, new Map(), settings);
  for (const o of d.open) out.add(o.detail);
  const u = evaluateCommunes(views, new Map([['P/D/C', ['s1']]]), settings);
  for (const o of u.update) out.add(o.detail);
  return [...out];
}

describe('every detail the engine writes is understood', () => {
  const details = reducerDetails();
  it('the scenarios reach the conditions (not a vacuous check)', () => {
    for (const k of ['no_reply', 'loss', 'rtt', 'snmp', 'wan_down', 'saturation', 'state_changes', 'cleared', 'replies_again', 'commune_down', 'not_checked', 'ping_error']) {
      expect(details.flatMap(parseDetail).map((c) => c.k), k).toContain(k);
    }
  });
  for (const lang of ['vi', 'en'] as Lang[]) {
    it(`no part is left unparsed, and vi has no English words (${lang})`, () => {
      for (const d of details) {
        expect(parseDetail(d).filter((c) => c.k === 'other'), d).toEqual([]);
        if (lang === 'vi') expect(englishWordsIn(renderConditions(parseDetail(d), 'vi')), d).toEqual([]);
      }
    });
  }
  it('the English word list is not empty', () => expect(ENGLISH_WORDS.length).toBeGreaterThan(30));
  it('a test message says so in each language', () => {
    expect(renderConditions([{ k: 'test' }], 'vi')).toBe('TIN THỬ NGHIỆM từ pointwatch, không phải sự cố thật');
    expect(renderConditions([{ k: 'test' }], 'en')).toBe('TEST message from pointwatch, not a real outage');
  });
});
