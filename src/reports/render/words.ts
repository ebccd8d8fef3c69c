/**
 * The coverage report's words per language: column headers, classes, the printable report's
 * headings and notes. English stays the machine-facing default (CSV, JSON, table headers keep
 * their names); `lang: 'vi'` makes the printable report and the coverage page fully Vietnamese.
 * States and causes come from the glossary.
 */
import type { Lang } from '../../config/schema.js';
import { CAUSE_NAMES } from '../../core/glossary.js';
import type { Cause } from '../../alerting/notice.js';

export const COLUMN_LABELS: Record<Lang, Record<string, string>> = {
  en: {
    site: 'site', name: 'name', commune: 'commune', group: 'group', district: 'district', province: 'province',
    availability_pct: 'availability %', class: 'class', down_min: 'downtime min', unreachable_min: 'unreachable min (parent)',
    unknown_min: 'unknown min', maintenance_min: 'maintenance min', no_data_min: 'no data min', incidents: 'incidents',
    mttr_min: 'MTTR min', power_min: 'power min', link_min: 'link min', unknown_cause_min: 'unknown cause min',
    main_cause: 'main cause', median_rtt_ms: 'median RTT ms', median_loss_pct: 'median loss %', traffic_gb_in: 'GB in',
    traffic_gb_out: 'GB out', sites: 'sites', sites_known: 'sites with data', sites_meeting_target: 'sites meeting target',
    communes: 'communes', communes_covered: 'communes covered', coverage_pct: 'coverage %', live: 'live', at_risk: 'at risk',
    dropped_off: 'dropped off', unknown: 'unknown', worst: 'worst sites (main cause)', resolution: 'data',
  },
  vi: {
    site: 'mã điểm', name: 'tên điểm', commune: 'xã', group: 'nhóm', district: 'huyện (cũ)', province: 'tỉnh',
    availability_pct: 'tỷ lệ hoạt động %', class: 'xếp loại', down_min: 'phút mất kết nối', unreachable_min: 'phút không tới được (do tuyến trên)',
    unknown_min: 'phút chưa rõ', maintenance_min: 'phút bảo trì', no_data_min: 'phút không có dữ liệu', incidents: 'số sự cố',
    mttr_min: 'thời gian khắc phục trung bình (phút)', power_min: 'phút mất điện', link_min: 'phút đứt đường truyền', unknown_cause_min: 'phút chưa rõ nguyên nhân',
    main_cause: 'nguyên nhân chính', median_rtt_ms: 'độ trễ trung vị ms', median_loss_pct: 'mất gói trung vị %', traffic_gb_in: 'GB vào',
    traffic_gb_out: 'GB ra', sites: 'số điểm', sites_known: 'điểm có dữ liệu', sites_meeting_target: 'điểm đạt mục tiêu',
    communes: 'số xã', communes_covered: 'xã được phủ sóng', coverage_pct: 'tỷ lệ phủ sóng %', live: 'hoạt động tốt', at_risk: 'có nguy cơ',
    dropped_off: 'đã ngừng hoạt động', unknown: 'chưa rõ', worst: 'điểm kém nhất (nguyên nhân chính)', resolution: 'dữ liệu',
  },
};

export type CoverageClass = 'live' | 'at_risk' | 'dropped_off' | 'unknown';

export function columnLabel(lang: Lang, key: string): string {
  return COLUMN_LABELS[lang][key] ?? COLUMN_LABELS.en[key] ?? key;
}

/** A class as people read it (en keeps the id, which CSV users filter on). */
export function classLabel(lang: Lang, c: string): string {
  return lang === 'en' ? c : (COLUMN_LABELS.vi[c] ?? c);
}

export function causeLabel(lang: Lang, c: string | null): string {
  if (c === null) return lang === 'vi' ? 'không có sự cố' : 'no incident';
  return lang === 'en' ? c : ((CAUSE_NAMES as Record<string, Record<Lang, string>>)[c as Cause]?.vi ?? c);
}

export const REPORT_TEXT: Record<Lang, {
  title: string; unknown: string; unknown_no_data: string; target: string; no_incident_period: string; by_area: (level: string) => string;
  availability_by: (level: string, target: number) => string; availability: string; downtime_by_cause: string;
  cause_chart: string; needing_action: string; all_meet: string; by: (g: string) => string; min: string;
  formula: string; generated: string; meeting_target: string; communes_covered: string;
  period: (from: string, to: string, tz: string, start: string, end: string, target: number, data: string) => string;
  sites_line: (sites: number, known: number, meeting: number, pct: string) => string;
  communes_line: (covered: number, communes: number, pct: string) => string;
  classes_line: (live: number, risk: number, dropped: number, unknown: number) => string;
}> = {
  en: {
    title: 'Coverage report', unknown: 'UNKNOWN', unknown_no_data: 'UNKNOWN (no data)', target: 'target', no_incident_period: 'No incident in the period.',
    by_area: (l) => l, availability_by: (l, t) => `Availability by ${l} (service hours), target ${t}%`, availability: 'availability',
    downtime_by_cause: 'Downtime by cause', cause_chart: 'Incident minutes in service hours by cause (power / link / unknown)',
    needing_action: 'Sites needing action', all_meet: 'Every site with data meets the target.', by: (g) => `By ${g}`, min: 'min',
    formula: 'Availability = UP ÷ (checked time in service hours − maintenance − unknown − unreachable because of a parent). UNKNOWN = no data, never counted as up or down.',
    generated: 'Generated', meeting_target: 'meeting target', communes_covered: 'communes covered',
    period: (f, t, tz, s, e, target, data) => `Coverage report ${f} – ${t} (${tz}, service hours ${s}-${e}, target ${target}%, data: ${data})`,
    sites_line: (n, k, m, p) => `Sites: ${n} (with data ${k}); meeting target: ${m}; availability: ${p}`,
    communes_line: (c, n, p) => `Communes with at least one point meeting the target: ${c} of ${n} (coverage ${p})`,
    classes_line: (l, r, d, u) => `Classes: live ${l}, at risk ${r}, dropped off ${d}, unknown ${u}`,
  },
  vi: {
    title: 'Báo cáo độ phủ', unknown: 'CHƯA RÕ', unknown_no_data: 'CHƯA RÕ (không có dữ liệu)', target: 'mục tiêu', no_incident_period: 'Không có sự cố trong khoảng thời gian này.',
    by_area: (l) => columnLabel('vi', l), availability_by: (l, t) => `Tỷ lệ hoạt động theo ${columnLabel('vi', l)} (trong giờ phục vụ), mục tiêu ${t}%`, availability: 'tỷ lệ hoạt động',
    downtime_by_cause: 'Thời gian mất kết nối theo nguyên nhân', cause_chart: 'Số phút sự cố trong giờ phục vụ theo nguyên nhân (mất điện / đứt đường truyền / chưa rõ)',
    needing_action: 'Các điểm cần xử lý', all_meet: 'Mọi điểm có dữ liệu đều đạt mục tiêu.', by: (g) => `Theo ${columnLabel('vi', g)}`, min: 'phút',
    formula: 'Tỷ lệ hoạt động = thời gian hoạt động ÷ (thời gian được kiểm tra trong giờ phục vụ − bảo trì − chưa rõ − không tới được do tuyến trên). CHƯA RÕ = không có dữ liệu, không bao giờ tính là hoạt động hay mất kết nối.',
    generated: 'Lập lúc', meeting_target: 'đạt mục tiêu', communes_covered: 'xã được phủ sóng',
    period: (f, t, tz, s, e, target, data) => `Báo cáo độ phủ từ ${f} đến ${t} (múi giờ ${tz}, giờ phục vụ ${s}-${e}, mục tiêu ${target}%, dữ liệu: ${data})`,
    sites_line: (n, k, m, p) => `Số điểm: ${n} (có dữ liệu ${k}); đạt mục tiêu: ${m}; tỷ lệ hoạt động: ${p}`,
    communes_line: (c, n, p) => `Số xã có ít nhất một điểm đạt mục tiêu: ${c}/${n} (tỷ lệ phủ sóng ${p})`,
    classes_line: (l, r, d, u) => `Xếp loại: hoạt động tốt ${l}, có nguy cơ ${r}, đã ngừng hoạt động ${d}, chưa rõ ${u}`,
  },
};
