/**
 * Words of the public pages and the scheduled reports, vi and en (the compiler checks both have
 * every key). States and kinds come from the web UI's i18n (stateLabel).
 */
import type { Lang } from '../../config/schema.js';
import type { MapClass } from '../../reports/map.js';
import { formatDuration } from '../../core/glossary.js';

const en = {
  public_title: 'Public Wi-Fi points: {area}',
  province: 'Province',
  commune: 'Commune',
  points: 'Points',
  now_working: '{up} of {n} points working now',
  state: 'State',
  since: 'since {time} ({ago})',
  last_30: 'Last {n} days',
  avail: 'available {pct}%',
  no_data: 'no data',
  ahead: 'Planned maintenance and power cuts (next {n} days)',
  nothing_ahead: 'Nothing planned.',
  power_cut: 'Power cut',
  maintenance: 'Maintenance',
  map: 'Map of the communes',
  not_on_map: 'Not on the map (no coordinates): {names}',
  communes: 'Communes',
  commune_points: '{n} points',
  updated: 'Updated {time} (local time). This page refreshes at most every {s} seconds.',
  legend_days: 'Each bar is one day: green = worked, amber = worked part of the day, red = down, grey = no data.',
  avail_note: 'Availability counts every hour; the province coverage report counts service hours only.',
  other_lang: 'Tiếng Việt',
  index_title: 'Public status pages',
  no_public: 'No public page is enabled.',
  see_communes: 'This province has many points: open a commune for each point.',
  cls_live: 'live',
  cls_at_risk: 'at risk',
  cls_dropped_off: 'dropped off',
  cls_unknown: 'unknown',
  // scheduled reports
  still_down_subject: 'Wi-Fi points still down in {commune} ({date})',
  still_down_intro: 'These points of {commune} were still not working at {time}:',
  weekly_subject: 'Weekly summary of the Wi-Fi points of {commune} ({from} – {to})',
  weekly_intro: 'Availability in service hours from {from} to {to}:',
  monthly_subject: 'Coverage report of {province}, {month}',
  monthly_intro: 'The coverage report of {province} for {month} is attached (HTML to print, CSV for spreadsheets).',
  monthly_link: 'Open it online: {url}',
  covered: 'Communes covered: {covered} of {communes}; points meeting the {target}% target: {meeting} of {sites}.',
  site: 'Point',
  availability: 'Availability',
  downtime: 'Down (min)',
  incidents: 'Incidents',
  digest_subject: 'Alerts held back in {commune} ({n})',
  digest_intro: 'The SMS/Zalo budget of {commune} for this month is spent: these alerts were held back and are summed up here.',
  budget_spent: 'SMS/Zalo messages sent this month',
  budget_of: '{spent} of {budget}',
  budget_folded: '{n} folded into digests',
} as const;

export type PublicKey = keyof typeof en;

const vi: Record<PublicKey, string> = {
  public_title: 'Điểm Wi-Fi công cộng: {area}',
  province: 'Tỉnh',
  commune: 'Xã',
  points: 'Các điểm',
  now_working: '{up}/{n} điểm đang hoạt động',
  state: 'Trạng thái',
  since: 'từ {time} ({ago})',
  last_30: '{n} ngày qua',
  avail: 'hoạt động {pct}%',
  no_data: 'chưa có dữ liệu',
  ahead: 'Lịch bảo trì và cắt điện ({n} ngày tới)',
  nothing_ahead: 'Không có lịch nào.',
  power_cut: 'Cắt điện',
  maintenance: 'Bảo trì',
  map: 'Bản đồ các xã',
  not_on_map: 'Chưa có trên bản đồ (thiếu tọa độ): {names}',
  communes: 'Các xã',
  commune_points: '{n} điểm',
  updated: 'Cập nhật lúc {time} (giờ địa phương). Trang được làm mới tối đa mỗi {s} giây.',
  legend_days: 'Mỗi vạch là một ngày: xanh = hoạt động, vàng = hoạt động một phần, đỏ = mất kết nối, xám = chưa có dữ liệu.',
  avail_note: 'Tỷ lệ hoạt động tính mọi giờ; báo cáo độ phủ của tỉnh chỉ tính giờ phục vụ.',
  other_lang: 'English',
  index_title: 'Trang trạng thái công khai',
  no_public: 'Chưa bật trang công khai nào.',
  see_communes: 'Tỉnh có nhiều điểm: mở từng xã để xem từng điểm.',
  cls_live: 'hoạt động tốt',
  cls_at_risk: 'có nguy cơ',
  cls_dropped_off: 'đã ngừng',
  cls_unknown: 'chưa rõ',
  still_down_subject: 'Các điểm Wi-Fi vẫn mất kết nối tại {commune} ({date})',
  still_down_intro: 'Các điểm sau của {commune} vẫn chưa hoạt động lúc {time}:',
  weekly_subject: 'Tổng kết tuần các điểm Wi-Fi của {commune} ({from} – {to})',
  weekly_intro: 'Tỷ lệ hoạt động trong giờ phục vụ từ {from} đến {to}:',
  monthly_subject: 'Báo cáo độ phủ {province}, {month}',
  monthly_intro: 'Gửi kèm báo cáo độ phủ của {province} tháng {month} (tệp HTML để in, tệp CSV cho bảng tính).',
  monthly_link: 'Xem trực tuyến: {url}',
  covered: 'Số xã có điểm hoạt động: {covered}/{communes}; số điểm đạt mục tiêu {target}%: {meeting}/{sites}.',
  site: 'Điểm',
  availability: 'Tỷ lệ hoạt động',
  downtime: 'Mất kết nối (phút)',
  incidents: 'Sự cố',
  digest_subject: 'Các cảnh báo được gộp tại {commune} ({n})',
  digest_intro: 'Hạn mức tin SMS/Zalo tháng này của {commune} đã hết: các cảnh báo sau được gộp lại trong bản tổng hợp này.',
  budget_spent: 'Tin SMS/Zalo đã gửi trong tháng',
  budget_of: '{spent}/{budget}',
  budget_folded: '{n} tin được gộp vào bản tổng hợp',
};

export const PUBLIC_MESSAGES: Record<Lang, Record<PublicKey, string>> = { en, vi };

export function pt(lang: Lang, key: PublicKey, params: Record<string, string | number> = {}): string {
  return PUBLIC_MESSAGES[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function classLabel(lang: Lang, c: MapClass): string {
  return pt(lang, `cls_${c}` as PublicKey);
}

/** How long, in the reader's words: the glossary's durations (`2 ngày 3 giờ` / `2 d 3 h`). */
export function ago(lang: Lang, ms: number): string {
  return formatDuration(ms, lang);
}
