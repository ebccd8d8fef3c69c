/** Notices used by the unit and integration tests (realistic names, documentation addresses). */
import type { Notice } from '../../notice.js';

const since = Date.UTC(2026, 10, 22, 0, 42); // 07:42 in Hà Nội (UTC+7)

export const firingDown: Notice = {
  id: 'inc-17-firing-commune',
  kind: 'site-down',
  event: 'firing',
  incident_id: 17,
  site: { id: 'ban-lac-nvh', name: 'Nhà văn hoá thôn Bản Lác', kind: 'cultural_house', commune: 'Chiềng Châu', province: 'Hoà Bình', village: 'Bản Lác' },
  area: { commune: 'Chiềng Châu', commune_kind: 'xa', province: 'Hoà Bình' },
  state: 'DOWN',
  since,
  detail: 'no ping reply: 5 sent, 0 received, 2 checks',
  affected: [],
  runbook_url: 'https://pw.example.org/runbooks/vi/site-down',
  ack_url: 'https://pw.example.org/incidents/17/ack',
  level: 'commune',
  recipients: [
    { name: 'Lò Văn Minh', role: 'cán bộ CNTT xã', phone: '0912 345 678', email: 'minh@example.org', telegram_chat_id: '1001', level: 'commune' },
    { name: 'Anna Nguyen', role: 'district IT', phone: '+84 987 654 321', email: 'anna@example.org', lang: 'en', level: 'commune' },
  ],
  lang: 'vi',
};

export const firingWithCause: Notice = { ...firingDown, id: 'inc-17-firing-cause', cause: 'power' };

export const resolvedPower: Notice = {
  ...firingDown,
  id: 'inc-17-resolved-commune',
  event: 'resolved',
  state: 'UP',
  resolved_at: since + 72 * 60_000,
  cause: 'power',
};

export const resolvedNoCause: Notice = { ...resolvedPower, id: 'inc-17-resolved-nocause', cause: undefined };

export const upstream: Notice = {
  ...firingDown,
  id: 'inc-21-firing-commune',
  kind: 'upstream-down',
  incident_id: 21,
  site: { id: 'chieng-chau-ubnd', name: 'UBND xã Chiềng Châu', kind: 'commune_office', commune: 'Chiềng Châu', province: 'Hoà Bình' },
  affected: [
    { id: 'ban-lac-nvh', name: 'Nhà văn hoá thôn Bản Lác' },
    { id: 'pom-coong-nvh', name: 'Nhà văn hoá thôn Pom Coọng' },
  ],
};

export const communeWide: Notice = {
  ...firingDown,
  id: 'inc-30-firing-commune',
  kind: 'power-cut-suspected',
  incident_id: 30,
  site: null,
  detail: '5 of 6 sites down within 3m (83% >= 60%): power cut suspected',
};

/** User text that must be escaped in HTML (a site name someone typed with < & >). */
export const hostileName: Notice = {
  ...firingDown,
  id: 'inc-40-firing-commune',
  site: { ...firingDown.site!, name: 'Điểm <b>A</b> & "B"' },
  detail: 'loss_pct 42 > 20 for 3 checks',
};
