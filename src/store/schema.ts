/**
 * The time-series schema, declared ONCE. Writers, readers, reports and dashboards import these
 * constants; a renamed field breaks the build, not a panel in production.
 *
 * Units are in field names. Tags are low-cardinality only (no host, no free text).
 * Precision: seconds on the wire would merge a fast re-check into its check; we write milliseconds.
 */
import { FieldType } from 'influx';

/**
 * Tags of every site point. `group` (the optional grouping between province and commune) is
 * written only when the site has one: a tag value is never empty.
 */
export const SITE_TAGS = ['site', 'commune', 'group', 'province', 'kind', 'uplink'] as const;
/**
 * Tags points written before the 2025 reform carry and no longer written: `district` (read as the
 * group by every query that filters or groups by group, so old data stays queryable).
 */
export const LEGACY_TAGS = ['district'] as const;
export type SiteTag = (typeof SITE_TAGS)[number];

/**
 * Service-hour tag on `site_state` and `ping` (src/reports/service-tag.ts): `in <hours> <tz>` or
 * `out <hours> <tz>`, stamped at write time from settings.reports. Absent on points written without it.
 */
export const SVC_TAG = 'svc' as const;

/** Retention policies: raw data, then 5-minute and 1-hour rollups made by continuous queries. */
export const RP = { raw: 'raw', rollup_5m: 'rollup_5m', rollup_1h: 'rollup_1h' } as const;
export type RetentionPolicyName = (typeof RP)[keyof typeof RP];
/**
 * The daily rollup's RP, made from the 1-hour rollup (ROLLUPS_1D); kept as long as `rollup_1h`.
 * It keeps the `svc` split, so a year's coverage report sums ~365 points per site instead of
 * ~8,760 weighted ones. (Not in RP: readers that pick a source by span never need days.)
 */
export const RP_DAILY = 'rollup_1d' as const;

export const SITE_STATES = ['UP', 'DEGRADED', 'DOWN', 'UNREACHABLE', 'MAINTENANCE', 'UNKNOWN'] as const;
export type SiteStateName = (typeof SITE_STATES)[number];
/** state_code in `site_state`: ordered by severity for "worst first" sorting. */
export const STATE_CODE: Record<SiteStateName, number> = {
  UP: 0, MAINTENANCE: 1, UNKNOWN: 2, DEGRADED: 3, UNREACHABLE: 4, DOWN: 5,
};

export const MEASUREMENTS = {
  /** One point per site per ping check. */
  ping: {
    name: 'ping',
    tags: [...SITE_TAGS, SVC_TAG],
    fields: {
      up: FieldType.INTEGER, // 1 when at least one reply came back
      sent: FieldType.INTEGER,
      received: FieldType.INTEGER,
      loss_pct: FieldType.FLOAT,
      rtt_min_ms: FieldType.FLOAT,
      rtt_avg_ms: FieldType.FLOAT,
      rtt_max_ms: FieldType.FLOAT,
      jitter_ms: FieldType.FLOAT,
    },
  },
  /** One point per site per SNMP system poll. */
  snmp: {
    name: 'snmp',
    tags: [...SITE_TAGS],
    fields: {
      reachable: FieldType.INTEGER, // 1 ok, 0 otherwise
      uptime_s: FieldType.FLOAT,
      rebooted: FieldType.INTEGER, // 1 on the check that saw the reboot
      poll_ms: FieldType.FLOAT,
      wireless_clients: FieldType.INTEGER,
    },
  },
  /** One point per interface per SNMP interface poll (rates only: counters never leave the poller). */
  interface: {
    name: 'interface',
    tags: [...SITE_TAGS, 'ifname', 'wan'],
    fields: {
      in_bps: FieldType.FLOAT,
      out_bps: FieldType.FLOAT,
      oper_up: FieldType.INTEGER,
      speed_bps: FieldType.FLOAT,
      in_errors_ps: FieldType.FLOAT,
      out_errors_ps: FieldType.FLOAT,
      in_discards_ps: FieldType.FLOAT,
      out_discards_ps: FieldType.FLOAT,
    },
  },
  /** One point per site per check: availability over a period is mean(up) over checked points. */
  site_state: {
    name: 'site_state',
    tags: [...SITE_TAGS, SVC_TAG],
    fields: {
      state: FieldType.STRING,
      state_code: FieldType.INTEGER,
      up: FieldType.INTEGER, // 1 for UP or DEGRADED (the point was usable)
      down: FieldType.INTEGER, // 1 for DOWN
      unreachable: FieldType.INTEGER, // 1 for UNREACHABLE (counted against the parent)
      unknown: FieldType.INTEGER, // 1 for UNKNOWN (never counted as up or down)
      maintenance: FieldType.INTEGER, // 1 for MAINTENANCE (excluded from availability)
      checked_s: FieldType.FLOAT, // seconds this point stands for (the check interval)
    },
  },
  /** One point per push report (received 1) or missed deadline (received 0) of a push site (src/push). */
  push: {
    name: 'push',
    tags: [...SITE_TAGS],
    fields: {
      received: FieldType.INTEGER,
      late_s: FieldType.FLOAT, // seconds past the expected report (a report), since the last one (a silence)
      uptime_s: FieldType.FLOAT,
      rebooted: FieldType.INTEGER,
      data_used_bytes: FieldType.FLOAT, // mobile data used since the previous report
      quota_exhausted: FieldType.INTEGER,
    },
  },
  /** LTE radio figures, from push reports and MikroTik SNMP alike (one point per check that has them). */
  lte: {
    name: 'lte',
    tags: [...SITE_TAGS],
    fields: {
      rsrp_dbm: FieldType.FLOAT,
      rsrq_db: FieldType.FLOAT,
      sinr_db: FieldType.FLOAT,
      rssi_dbm: FieldType.FLOAT,
      cell_id: FieldType.INTEGER,
      enb_id: FieldType.INTEGER,
      operator: FieldType.STRING,
      band: FieldType.STRING,
    },
  },
  /** Transitions, reboots, incidents: sparse, for annotations and timelines. */
  event: {
    name: 'event',
    tags: [...SITE_TAGS, 'type'],
    fields: {
      text: FieldType.STRING,
      from_state: FieldType.STRING,
      to_state: FieldType.STRING,
      cause: FieldType.STRING,
      incident_id: FieldType.INTEGER,
      value: FieldType.FLOAT,
    },
  },
} as const;

export type MeasurementName = keyof typeof MEASUREMENTS;
export type FieldsOf<M extends MeasurementName> = keyof (typeof MEASUREMENTS)[M]['fields'];
export type TagsOf<M extends MeasurementName> = (typeof MEASUREMENTS)[M]['tags'][number];

export const EVENT_TYPES = ['transition', 'reboot', 'incident_open', 'incident_resolve', 'flapping'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Rollups: which aggregate of which field lands in the rollup RPs (same measurement and field names). */
/** (push and lte have no rollups yet: raw retention only.) */
export const ROLLUPS: Record<Exclude<MeasurementName, 'event' | 'push' | 'lte'>, Record<string, 'mean' | 'max' | 'min' | 'sum' | 'last'>> = {
  ping: { up: 'mean', loss_pct: 'mean', rtt_avg_ms: 'mean', rtt_max_ms: 'max', rtt_min_ms: 'min', jitter_ms: 'mean', sent: 'sum', received: 'sum' },
  snmp: { reachable: 'mean', uptime_s: 'max', rebooted: 'sum', wireless_clients: 'mean' },
  interface: { in_bps: 'mean', out_bps: 'mean', oper_up: 'mean', speed_bps: 'max', in_errors_ps: 'mean', out_errors_ps: 'mean', in_discards_ps: 'mean', out_discards_ps: 'mean' },
  site_state: { up: 'sum', down: 'sum', unreachable: 'sum', unknown: 'sum', maintenance: 'sum', checked_s: 'sum', state_code: 'max' },
};

/**
 * The daily rollup (RP rollup_1d, GROUP BY time(1d), * from rollup_1h, UTC days): for each field, the
 * aggregate of the 1-hour points, under the same name as in ROLLUPS (sums of sums are exact; means are
 * means of hourly means). Extra fields made by an expression over the hourly points: `interface`
 * `in_bytes`/`out_bytes` = sum of the hourly mean bit rates × 3600 / 8 (what the report counts as traffic).
 */
export const ROLLUPS_1D: Record<keyof typeof ROLLUPS, Record<string, { fn: 'mean' | 'max' | 'min' | 'sum' | 'last'; field: string; scale?: number }>> = {
  ping: Object.fromEntries(Object.entries(ROLLUPS.ping).map(([f, fn]) => [f, { fn, field: f }])),
  snmp: Object.fromEntries(Object.entries(ROLLUPS.snmp).map(([f, fn]) => [f, { fn, field: f }])),
  site_state: Object.fromEntries(Object.entries(ROLLUPS.site_state).map(([f, fn]) => [f, { fn, field: f }])),
  interface: {
    ...Object.fromEntries(Object.entries(ROLLUPS.interface).map(([f, fn]) => [f, { fn, field: f }])),
    in_bytes: { fn: 'sum', field: 'in_bps', scale: 3600 / 8 },
    out_bytes: { fn: 'sum', field: 'out_bps', scale: 3600 / 8 },
  },
};
