/**
 * Conditions as structured fields, and how people read them. The reducer, the commune rule and
 * the engine write an incident's detail in one technical grammar (`loss_pct 42 > 20 for 3 checks`,
 * `no ping reply: 5 sent, 0 received, 2 checks`): it stays in SQLite, the API and the webhook's
 * `detail`. `parseDetail` turns that grammar into `Condition`s (pinned by a round-trip test over
 * every form the engine writes), and `renderConditions` says them in the reader's language, so no
 * English reaches a Vietnamese message. A part it does not know is never shown raw in vi.
 */
import type { Lang } from '../config/schema.js';
import { formatConfigDuration } from '../core/glossary.js';

export type Condition =
  | { k: 'no_reply'; sent: number; checks: number }
  | { k: 'loss'; value: number; limit: number; checks: number | null }
  | { k: 'rtt'; value: number; limit: number; checks: number | null }
  | { k: 'snmp'; status: string; checks: number | null }
  | { k: 'wan_down'; iface: string; admin_down: boolean; checks: number | null }
  | { k: 'saturation'; value: number; limit: number; iface: string; checks: number | null }
  | { k: 'state_changes'; n: number; window: string; settled: boolean }
  | { k: 'no_push'; late_s: number; interval_s: number; checks: number | null }
  | { k: 'lte_low'; figures: Array<{ name: 'rsrp_dbm' | 'rsrq_db' | 'sinr_db'; value: number; limit: number }>; checks: number | null }
  | { k: 'quota'; checks: number | null }
  | { k: 'cleared'; checks: number }
  | { k: 'replies_again'; after: Condition[] }
  | { k: 'rebooted_at'; at: number }
  | { k: 'informational' }
  | { k: 'removed' }
  | { k: 'commune_back' }
  | { k: 'commune_down'; n: number; total: number; window: string | null; pct: number; ratio: number; upstream: string | null; suspected: boolean }
  | { k: 'maintenance' }
  | { k: 'upstream_is_down' }
  | { k: 'not_checked' }
  | { k: 'ping_error' }
  | { k: 'not_confirmed' }
  | { k: 'up' }
  | { k: 'no_data' }
  | { k: 'test' }
  | { k: 'other'; text: string };

const NUM = '(-?[0-9]+(?:\\.[0-9]+)?)';
const CHECKS = '(?: for ([0-9]+) checks?)?';
const num = (s: string | undefined) => (s === undefined ? null : Number(s));

/** One part (no `; ` inside). */
function parsePart(p: string): Condition {
  let m: RegExpExecArray | null;
  if ((m = /^no ping reply: ([0-9]+) sent, 0 received, ([0-9]+) checks?(?: \(.*\))?$/.exec(p))) return { k: 'no_reply', sent: Number(m[1]), checks: Number(m[2]) };
  if ((m = new RegExp(`^loss_pct ${NUM} > ${NUM}${CHECKS}$`).exec(p))) return { k: 'loss', value: Number(m[1]), limit: Number(m[2]), checks: num(m[3]) };
  if ((m = new RegExp(`^rtt_avg_ms ${NUM} > ${NUM}${CHECKS}$`).exec(p))) return { k: 'rtt', value: Number(m[1]), limit: Number(m[2]), checks: num(m[3]) };
  if ((m = new RegExp(`^snmp (\\w+) while ping answers${CHECKS}$`).exec(p))) return { k: 'snmp', status: m[1]!, checks: num(m[2]) };
  if ((m = new RegExp(`^wan (\\S+) oper down( \\(admin down\\))?${CHECKS}$`).exec(p))) return { k: 'wan_down', iface: m[1]!, admin_down: !!m[2], checks: num(m[3]) };
  if ((m = new RegExp(`^saturation_pct ${NUM} > ${NUM} on wan (\\S+)${CHECKS}$`).exec(p))) return { k: 'saturation', value: Number(m[1]), limit: Number(m[2]), iface: m[3]!, checks: num(m[4]) };
  if ((m = new RegExp(`^no push report for ([0-9]+) s \\(every ([0-9]+) s expected\\)${CHECKS}$`).exec(p))) return { k: 'no_push', late_s: Number(m[1]), interval_s: Number(m[2]), checks: num(m[3]) };
  if ((m = new RegExp(`^quota_exhausted: the router reports its data package used up${CHECKS}$`).exec(p))) return { k: 'quota', checks: num(m[1]) };
  if ((m = new RegExp(`^((?:(?:rsrp_dbm|rsrq_db|sinr_db) ${NUM} < ${NUM}(?:, )?)+)${CHECKS}$`).exec(p))) {
    const figures = [...m[1]!.matchAll(new RegExp(`(rsrp_dbm|rsrq_db|sinr_db) ${NUM} < ${NUM}`, 'g'))]
      .map((f) => ({ name: f[1] as 'rsrp_dbm' | 'rsrq_db' | 'sinr_db', value: Number(f[2]), limit: Number(f[3]) }));
    return { k: 'lte_low', figures, checks: num(m[m.length - 1]) };
  }
  if ((m = /^(settled: )?([0-9]+) state changes in (\S+)$/.exec(p))) return { k: 'state_changes', n: Number(m[2]), window: m[3]!, settled: !!m[1] };
  if ((m = /^cleared for ([0-9]+) checks?$/.exec(p))) return { k: 'cleared', checks: Number(m[1]) };
  if ((m = /^replies again after (.*)$/.exec(p))) return { k: 'replies_again', after: m[1] === 'an outage' ? [] : [parsePart(m[1]!)] };
  if ((m = /^router rebooted at (\S+) \(power blip\?\)$/.exec(p)) && !Number.isNaN(Date.parse(m[1]!))) return { k: 'rebooted_at', at: Date.parse(m[1]!) };
  if (p === 'informational: back up by the next check') return { k: 'informational' };
  if (p === 'the site was removed from the inventory') return { k: 'removed' };
  if (p === "the commune's sites answer again") return { k: 'commune_back' };
  if ((m = /^([0-9]+) of ([0-9]+) sites down(?: within (\S+))? \(([0-9]+)% >= ([0-9]+)%(?:, window (\S+))?\)(?:: (power cut suspected|upstream link suspected \(all behind (\S+)\)))?$/.exec(p))) {
    return {
      k: 'commune_down', n: Number(m[1]), total: Number(m[2]), window: m[3] ?? m[6] ?? null, pct: Number(m[4]), ratio: Number(m[5]),
      upstream: m[8] ?? null, suspected: !!m[7],
    };
  }
  if (p === 'in a maintenance window') return { k: 'maintenance' };
  if (p === 'an upstream site is down') return { k: 'upstream_is_down' };
  if (/^not checked: /.test(p)) return { k: 'not_checked' };
  if (/^ping error(: .*)?$/.test(p)) return { k: 'ping_error' };
  if (p === 'up') return { k: 'up' };
  if (p === 'no data yet' || p === 'no data') return { k: 'no_data' };
  return { k: 'other', text: p };
}

/** An incident's detail as conditions; `, not yet confirmed` becomes its own part. */
export function parseDetail(detail: string): Condition[] {
  const out: Condition[] = [];
  for (const raw of detail.split('; ')) {
    const p = raw.trim();
    if (!p) continue;
    if (p.endsWith(', not yet confirmed')) {
      out.push(parsePart(p.slice(0, -', not yet confirmed'.length)), { k: 'not_confirmed' });
    } else out.push(parsePart(p));
  }
  return out;
}

/** A number as people read it: vi uses a decimal comma. */
const n = (x: number, lang: Lang) => {
  const s = String(Math.round(x * 10) / 10);
  return lang === 'vi' ? s.replace('.', ',') : s;
};

function checksText(c: number | null, lang: Lang): string {
  if (c === null) return '';
  return lang === 'vi' ? ` trong ${c} lần kiểm tra liên tiếp` : ` for ${c} check${c === 1 ? '' : 's'} in a row`;
}

const SNMP_STATUS: Record<Lang, Record<string, string>> = {
  vi: { timeout: 'hết thời gian chờ', unreachable: 'không tới được', error: 'lỗi' },
  en: { timeout: 'timed out', unreachable: 'unreachable', error: 'error' },
};

function one(c: Condition, lang: Lang, tz: string): string | null {
  const vi = lang === 'vi';
  switch (c.k) {
    case 'no_reply':
      return vi ? `không phản hồi: gửi ${c.sent} gói, nhận 0${checksText(c.checks, lang)}` : `no reply: ${c.sent} sent, 0 received${checksText(c.checks, lang)}`;
    case 'loss':
      return vi ? `mất gói ${n(c.value, lang)}% (ngưỡng ${n(c.limit, lang)}%)${checksText(c.checks, lang)}` : `packet loss ${n(c.value, lang)}% (limit ${n(c.limit, lang)}%)${checksText(c.checks, lang)}`;
    case 'rtt':
      return vi ? `độ trễ trung bình ${n(c.value, lang)} ms (ngưỡng ${n(c.limit, lang)} ms)${checksText(c.checks, lang)}` : `average latency ${n(c.value, lang)} ms (limit ${n(c.limit, lang)} ms)${checksText(c.checks, lang)}`;
    case 'snmp': {
      const st = SNMP_STATUS[lang][c.status] ?? SNMP_STATUS[lang].error!;
      return vi ? `thiết bị không trả lời truy vấn thông số (${st}) dù vẫn phản hồi kết nối${checksText(c.checks, lang)}` : `the router does not answer SNMP (${st}) although it answers pings${checksText(c.checks, lang)}`;
    }
    case 'wan_down':
      return vi ? `cổng WAN ${c.iface} bị ngắt${c.admin_down ? ' (bị tắt trong cấu hình)' : ''}${checksText(c.checks, lang)}` : `WAN interface ${c.iface} down${c.admin_down ? ' (disabled in the configuration)' : ''}${checksText(c.checks, lang)}`;
    case 'saturation':
      return vi ? `cổng WAN ${c.iface} dùng ${n(c.value, lang)}% băng thông (ngưỡng ${n(c.limit, lang)}%)${checksText(c.checks, lang)}` : `WAN ${c.iface} at ${n(c.value, lang)}% of its bandwidth (limit ${n(c.limit, lang)}%)${checksText(c.checks, lang)}`;
    case 'state_changes': {
      const w = formatConfigDuration(c.window, lang);
      if (vi) return `${c.settled ? 'đã ổn định: ' : ''}${c.n} lần đổi trạng thái trong ${w}`;
      return `${c.settled ? 'settled: ' : ''}${c.n} state changes in ${w}`;
    }
    case 'no_push':
      return vi ? `không nhận được báo cáo trong ${c.late_s} giây (mỗi ${c.interval_s} giây phải có một báo cáo)${checksText(c.checks, lang)}` : `no report for ${c.late_s} s (one expected every ${c.interval_s} s)${checksText(c.checks, lang)}`;
    case 'lte_low': {
      const parts = c.figures.map((f) => `${f.name.split('_')[0]!.toUpperCase()} ${n(f.value, lang)} ${f.name === 'rsrp_dbm' ? 'dBm' : 'dB'} (${vi ? 'ngưỡng' : 'limit'} ${n(f.limit, lang)})`);
      return `${vi ? 'sóng 4G yếu' : 'weak 4G signal'}: ${parts.join(', ')}${checksText(c.checks, lang)}`;
    }
    case 'quota':
      return vi ? `thiết bị báo đã hết dung lượng gói cước${checksText(c.checks, lang)}` : `the router reports its data package used up${checksText(c.checks, lang)}`;
    case 'cleared':
      return vi ? `đã bình thường lại qua ${c.checks} lần kiểm tra` : `normal again for ${c.checks} check${c.checks === 1 ? '' : 's'}`;
    case 'replies_again': {
      const after = c.after.map((a) => one(a, lang, tz)).filter(Boolean).join('; ');
      if (vi) return after ? `phản hồi trở lại sau sự cố (${after})` : 'phản hồi trở lại sau sự cố';
      return after ? `answers again after the outage (${after})` : 'answers again after the outage';
    }
    case 'rebooted_at': {
      const t = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(c.at);
      return vi ? `thiết bị khởi động lại lúc ${t} (có thể do chập điện)` : `the router restarted at ${t} (power blip?)`;
    }
    case 'informational':
      return vi ? 'chỉ để biết: đã hoạt động lại ở lần kiểm tra sau' : 'for information: back up by the next check';
    case 'removed':
      return vi ? 'điểm đã được xóa khỏi danh sách' : 'the site was removed from the inventory';
    case 'commune_back':
      return vi ? 'các điểm của xã đã phản hồi trở lại' : "the commune's sites answer again";
    case 'commune_down': {
      const within = c.window ? (vi ? ` trong vòng ${formatConfigDuration(c.window, lang)}` : ` within ${formatConfigDuration(c.window, lang)}`) : '';
      const head = vi ? `${c.n}/${c.total} điểm mất kết nối${within} (${c.pct}%, ngưỡng ${c.ratio}%)` : `${c.n} of ${c.total} sites down${within} (${c.pct}%, threshold ${c.ratio}%)`;
      if (c.upstream) return vi ? `${head}: nghi mất đường truyền tuyến trên (đều phía sau ${c.upstream})` : `${head}: upstream link suspected (all behind ${c.upstream})`;
      if (c.suspected) return vi ? `${head}: nghi mất điện` : `${head}: power cut suspected`;
      return head;
    }
    case 'maintenance':
      return vi ? 'đang trong thời gian bảo trì' : 'in a maintenance window';
    case 'upstream_is_down':
      return vi ? 'một điểm tuyến trên đang mất kết nối' : 'an upstream site is down';
    case 'not_checked':
      return vi ? 'hệ thống không kiểm tra được' : 'not checked by the poller';
    case 'ping_error':
      return vi ? 'lỗi khi kiểm tra kết nối' : 'the ping check failed to run';
    case 'not_confirmed':
      return vi ? 'chưa xác nhận' : 'not yet confirmed';
    case 'up':
      return vi ? 'hoạt động' : 'up';
    case 'no_data':
      return vi ? 'chưa có dữ liệu' : 'no data yet';
    case 'test':
      return vi ? 'TIN THỬ NGHIỆM từ pointwatch, không phải sự cố thật' : 'TEST message from pointwatch, not a real outage';
    case 'other':
      // technical text of unknown form: shown in English only, pointed to in Vietnamese
      return vi ? null : c.text;
  }
}

/** The conditions in the reader's language, `; ` between them. */
export function renderConditions(conds: readonly Condition[], lang: Lang, tz = 'Asia/Ho_Chi_Minh'): string {
  const parts = conds.map((c) => one(c, lang, tz));
  const known = parts.filter((p): p is string => p !== null);
  if (parts.length > known.length) known.push(lang === 'vi' ? 'xem chi tiết kỹ thuật trên trang sự cố' : 'see the incident page');
  return known.join('; ');
}
