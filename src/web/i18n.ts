/**
 * Every string of the web UI, Vietnamese and English, in one place. The compiler checks that
 * both languages have every key. `{name}` placeholders are filled by `t()` (values are escaped
 * later by html``, never here).
 */
import type { Lang } from '../config/schema.js';
import type { SiteStateName } from '../store/schema.js';
import type { AlertKind } from '../alerting/notice.js';

const en = {
  app: 'pointwatch',
  login_title: 'Sign in',
  username: 'User name',
  password: 'Password',
  sign_in: 'Sign in',
  sign_out: 'Sign out',
  login_failed: 'Wrong user name or password.',
  board: 'Status board',
  incidents: 'Incidents',
  maintenance: 'Maintenance',
  coverage: 'Coverage',
  switch_lang: 'Tiếng Việt',
  signed_in_as: 'Signed in as {name} ({role})',
  no_sites: 'No sites in your area.',
  since: 'since {time}',
  sites_count: '{n} sites',
  site: 'Site',
  state: 'State',
  detail: 'Detail',
  last_check: 'Last check',
  last_reboot: 'Last reboot',
  uptime: 'Uptime',
  never: 'never',
  unknown: 'unknown',
  latency: 'Latency (ms)',
  loss: 'Loss (%)',
  bandwidth: 'WAN bandwidth (Mbit/s)',
  in: 'in',
  out: 'out',
  h24: 'Last 24 hours',
  d7: 'Last 7 days',
  no_data: 'No data for this period.',
  store_down: 'The history database is not answering. Showing the last known state; charts and reports will come back when it does.',
  location: 'Location',
  host: 'Router',
  push_every: 'reports in every {s} s (push)',
  uplink: 'Uplink',
  contacts: 'Contacts',
  open: 'Open',
  resolved: 'Resolved',
  no_incidents: 'No incidents.',
  show_resolved: 'Show resolved too',
  show_open: 'Show open only',
  opened: 'Opened',
  acknowledged_by: 'Acknowledged by {name} at {time}',
  not_acknowledged: 'Not acknowledged yet',
  acknowledge: 'Acknowledge',
  note: 'Note',
  cause: 'Cause',
  cause_power: 'power cut',
  cause_link: 'link cut',
  cause_unknown: 'unknown',
  affected: 'Also affected',
  runbook: 'Runbook',
  no_runbook: 'No runbook for this alert.',
  step_done_by: 'done by {name} at {time}',
  mark_done: 'Done',
  mark_undone: 'Undo',
  step_history: 'Step record ({n} entries)',
  step_n: 'step {n}',
  not_allowed: 'Your role can only read.',
  kind: 'Alert',
  windows: 'Maintenance windows',
  no_windows: 'No maintenance windows.',
  new_window: 'New window',
  start: 'Start',
  end: 'End',
  reason: 'Reason',
  targets: 'Sites or areas',
  sites_field: 'Site ids (comma separated)',
  communes_field: 'Communes (comma separated)',
  groups_field: 'Groups (comma separated; optional level between province and commune)',
  group: 'Group',
  comma_separated: 'comma separated',
  create: 'Create',
  delete: 'Delete',
  created_by: 'Created by',
  report_period: 'Period',
  from: 'From',
  to: 'To',
  group_by: 'Group by',
  show: 'Show',
  availability: 'Availability',
  target: 'Target {pct}%',
  error: 'Error',
  back: 'Back to the board',
  time_local: 'Times are local (Asia/Ho_Chi_Minh)',
  state_UP: 'Up',
  state_DEGRADED: 'Degraded',
  state_DOWN: 'Down',
  state_UNREACHABLE: 'Unreachable',
  state_MAINTENANCE: 'Maintenance',
  state_UNKNOWN: 'Unknown',
} as const;

export type MsgKey = keyof typeof en;

const vi: Record<MsgKey, string> = {
  app: 'pointwatch',
  login_title: 'Đăng nhập',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  sign_in: 'Đăng nhập',
  sign_out: 'Đăng xuất',
  login_failed: 'Sai tên đăng nhập hoặc mật khẩu.',
  board: 'Bảng trạng thái',
  incidents: 'Sự cố',
  maintenance: 'Bảo trì',
  coverage: 'Độ phủ',
  switch_lang: 'English',
  signed_in_as: 'Đăng nhập: {name} ({role})',
  no_sites: 'Không có điểm nào trong khu vực của bạn.',
  since: 'từ {time}',
  sites_count: '{n} điểm',
  site: 'Điểm',
  state: 'Trạng thái',
  detail: 'Chi tiết',
  last_check: 'Lần kiểm tra cuối',
  last_reboot: 'Khởi động lại gần nhất',
  uptime: 'Thời gian chạy',
  never: 'chưa lần nào',
  unknown: 'không rõ',
  latency: 'Độ trễ (ms)',
  loss: 'Mất gói (%)',
  bandwidth: 'Băng thông WAN (Mbit/s)',
  in: 'vào',
  out: 'ra',
  h24: '24 giờ qua',
  d7: '7 ngày qua',
  no_data: 'Không có dữ liệu trong khoảng này.',
  store_down: 'Cơ sở dữ liệu lịch sử không phản hồi. Đang hiển thị trạng thái cuối cùng đã biết; biểu đồ và báo cáo sẽ có lại khi nó hoạt động.',
  location: 'Địa điểm',
  host: 'Bộ định tuyến',
  push_every: 'tự gửi báo cáo mỗi {s} giây (push)',
  uplink: 'Đường truyền',
  contacts: 'Liên hệ',
  open: 'Đang mở',
  resolved: 'Đã xử lý',
  no_incidents: 'Không có sự cố.',
  show_resolved: 'Xem cả sự cố đã xử lý',
  show_open: 'Chỉ xem sự cố đang mở',
  opened: 'Mở lúc',
  acknowledged_by: '{name} đã nhận lúc {time}',
  not_acknowledged: 'Chưa có ai nhận',
  acknowledge: 'Nhận xử lý',
  note: 'Ghi chú',
  cause: 'Nguyên nhân',
  cause_power: 'mất điện',
  cause_link: 'đứt đường truyền',
  cause_unknown: 'không rõ',
  affected: 'Cũng bị ảnh hưởng',
  runbook: 'Hướng dẫn xử lý',
  no_runbook: 'Không có hướng dẫn cho cảnh báo này.',
  step_done_by: '{name} làm lúc {time}',
  mark_done: 'Xong',
  mark_undone: 'Bỏ đánh dấu',
  step_history: 'Nhật ký các bước ({n} mục)',
  step_n: 'bước {n}',
  not_allowed: 'Vai trò của bạn chỉ được xem.',
  kind: 'Cảnh báo',
  windows: 'Lịch bảo trì',
  no_windows: 'Không có lịch bảo trì.',
  new_window: 'Thêm lịch bảo trì',
  start: 'Bắt đầu',
  end: 'Kết thúc',
  reason: 'Lý do',
  targets: 'Điểm hoặc khu vực',
  sites_field: 'Mã điểm (cách nhau bằng dấu phẩy)',
  communes_field: 'Xã (cách nhau bằng dấu phẩy)',
  groups_field: 'Cụm (cách nhau bằng dấu phẩy; cấp tùy chọn giữa tỉnh và xã)',
  group: 'Cụm',
  comma_separated: 'cách nhau bằng dấu phẩy',
  create: 'Tạo',
  delete: 'Xóa',
  created_by: 'Người tạo',
  report_period: 'Khoảng thời gian',
  from: 'Từ',
  to: 'Đến',
  group_by: 'Nhóm theo',
  show: 'Xem',
  availability: 'Tỷ lệ hoạt động',
  target: 'Mục tiêu {pct}%',
  error: 'Lỗi',
  back: 'Về bảng trạng thái',
  time_local: 'Giờ địa phương (Asia/Ho_Chi_Minh)',
  state_UP: 'Hoạt động',
  state_DEGRADED: 'Chập chờn',
  state_DOWN: 'Mất kết nối',
  state_UNREACHABLE: 'Không tới được',
  state_MAINTENANCE: 'Bảo trì',
  state_UNKNOWN: 'Chưa rõ',
};

export const MESSAGES: Record<Lang, Record<MsgKey, string>> = { en, vi };

/** Alert kinds as people say them (the kind id stays visible next to it). */
export const KIND_LABELS: Record<Lang, Record<AlertKind, string>> = {
  en: {
    'site-down': 'Wi-Fi point down', 'upstream-down': 'Upstream link down', 'power-cut-suspected': 'Power cut suspected',
    'high-loss': 'High packet loss', 'high-latency': 'High latency', 'snmp-unreachable': 'Router not answering SNMP',
    'wan-interface-down': 'WAN interface down', saturation: 'Link saturated', flapping: 'Flapping', rebooted: 'Router rebooted',
    'weak-signal': 'Weak 4G signal', 'quota-exhausted': '4G data package used up',
  },
  vi: {
    'site-down': 'Điểm Wi-Fi mất kết nối', 'upstream-down': 'Mất đường truyền phía trên', 'power-cut-suspected': 'Nghi mất điện',
    'high-loss': 'Mất gói cao', 'high-latency': 'Độ trễ cao', 'snmp-unreachable': 'Bộ định tuyến không trả lời SNMP',
    'wan-interface-down': 'Cổng WAN mất kết nối', saturation: 'Đường truyền quá tải', flapping: 'Chập chờn liên tục', rebooted: 'Bộ định tuyến khởi động lại',
    'weak-signal': 'Sóng 4G yếu', 'quota-exhausted': 'Hết dung lượng gói cước 4G',
  },
};

export function kindLabel(lang: Lang, kind: string): string {
  return (KIND_LABELS[lang] as Record<string, string>)[kind] ?? kind;
}

export function t(lang: Lang, key: MsgKey, params: Record<string, string | number> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function stateLabel(lang: Lang, s: SiteStateName): string {
  return t(lang, `state_${s}` as MsgKey);
}

/** The language from Accept-Language (first supported tag by q), else the fallback. */
export function langFromHeader(header: string | undefined, fallback: Lang): Lang {
  if (!header) return fallback;
  const tags = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: (tag ?? '').toLowerCase().split('-')[0]!, q: q ? Number(q[1]) : 1 };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q);
  const hit = tags.find((x) => x.tag === 'vi' || x.tag === 'en');
  return (hit?.tag as Lang | undefined) ?? fallback;
}
