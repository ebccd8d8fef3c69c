/**
 * Pure: turn what the poller and alerting produce into InfluxDB points of the declared schema
 * (src/store/schema.ts). No IO.
 *
 * - Every point is stamped with the check's start (`check.ts`, epoch ms), never the write time.
 * - null / undefined / non-finite numbers are omitted (InfluxDB has no null; NaN is not line protocol).
 * - `assertDeclared` rejects any measurement, tag or field the schema does not declare, and any value
 *   of the wrong type. The writer runs it on every point (strict mode throws, production logs+counts).
 */
import type { IPoint } from 'influx';
import { FieldType } from 'influx';
import type { Site, SiteCheck } from '../core/types.js';
import { presetTagText } from './line-protocol.js';
import { MEASUREMENTS, STATE_CODE, SVC_TAG, type EventType, type MeasurementName, type SiteStateName } from './schema.js';

/** The point type everything in src/store passes around: timestamp is epoch milliseconds. */
export interface Point extends IPoint {
  measurement: MeasurementName;
  tags: Readonly<Record<string, string>>;
  fields: Record<string, number | string | boolean>;
  timestamp: number;
}

/** Tag value when a site has no `uplink` in the inventory (a tag value cannot be empty). */
export const UNKNOWN_TAG = 'unknown';

/** The site tags, in schema order (a fresh object: the caller may add to it). No group tag when the site has none. */
export function siteTags(site: Pick<Site, 'id' | 'commune' | 'group' | 'province' | 'kind' | 'uplink'>): Record<string, string> {
  const tags: Record<string, string> = { site: site.id, commune: site.commune };
  if (site.group) tags.group = site.group;
  tags.province = site.province;
  tags.kind = site.kind;
  tags.uplink = site.uplink ?? UNKNOWN_TAG;
  return tags;
}

/**
 * Tags objects are shared: one frozen object per site and variant (the service-hour value, an
 * interface's ifname/wan), reused by every point of that kind. A site writes a handful of points a
 * minute for months: one tags object each was most of what the writer kept alive between flushes,
 * and the line-protocol text of a tags object is made once (line-protocol.ts). Sites are
 * configuration (a reload makes new objects), so a cache keyed by the site object stays true.
 *
 * A site's shared tags objects: the plain one, one per service-hour value, one per interface
 * name and wan flag. Variants are looked up by comparing values (a handful per site): no key string
 * is built per point or kept per site.
 */
interface SiteTagSet {
  base: Readonly<Record<string, string>>;
  svc: Array<{ value: string; tags: Readonly<Record<string, string>> }>;
  ifaces: Array<{ ifname: string; wan: string; tags: Readonly<Record<string, string>> }>;
}
const tagCache = new WeakMap<object, SiteTagSet>();
/** Variants kept per site and kind before the list starts over (interfaces renamed again and again). */
const MAX_TAG_VARIANTS = 64;

function tagSet(site: Site): SiteTagSet {
  let set = tagCache.get(site);
  if (!set) {
    set = { base: Object.freeze(siteTags(site)), svc: [], ifaces: [] };
    tagCache.set(site, set);
  }
  return set;
}

const baseTags = (site: Site) => tagSet(site).base;

function svcTags(site: Site, value: string): Readonly<Record<string, string>> {
  const set = tagSet(site);
  for (const v of set.svc) if (v.value === value) return v.tags;
  const t = siteTags(site);
  t[SVC_TAG] = value;
  const tags = Object.freeze(t);
  presetTagText(tags, set.base, { [SVC_TAG]: value });
  // exact-size lists (an array pushed to keeps room for 17); past the bound the list starts over
  set.svc = set.svc.length >= MAX_TAG_VARIANTS ? [{ value, tags }] : [...set.svc, { value, tags }];
  return tags;
}

function ifaceTags(site: Site, ifname: string, wan: string): Readonly<Record<string, string>> {
  const set = tagSet(site);
  for (const v of set.ifaces) if (v.ifname === ifname && v.wan === wan) return v.tags;
  const t = siteTags(site);
  t.ifname = ifname;
  t.wan = wan;
  const tags = Object.freeze(t);
  presetTagText(tags, set.base, { ifname, wan });
  set.ifaces = set.ifaces.length >= MAX_TAG_VARIANTS ? [{ ifname, wan, tags }] : [...set.ifaces, { ifname, wan, tags }];
  return tags;
}

function put(fields: Record<string, number | string | boolean>, name: string, v: number | string | boolean | null | undefined): void {
  if (v === null || v === undefined) return;
  if (typeof v === 'number' && !Number.isFinite(v)) return;
  fields[name] = v;
}

const int = (b: boolean) => (b ? 1 : 0);

/**
 * The `svc` tag value for a timestamp (src/reports/service-tag.ts `createServiceTagger(settings.reports...)`):
 * passed by the composition root so `site_state` and `ping` points carry the service-hour split.
 */
export type SvcTagger = (ts: number) => string;

/**
 * Points for one site check: `ping` (when a ping result exists and fping actually ran),
 * `snmp` (when SNMP was polled), one `interface` point per interface with rates.
 * `site_state` comes from alerting (statePoint), `event` from transitions (eventPoint).
 * With `svc`, the `ping` point carries the service-hour tag.
 */
export function pointsForCheck(site: Site, check: SiteCheck, svc?: SvcTagger): Point[] {
  const tags = baseTags(site);
  const ts = check.ts;
  const out: Point[] = [];
  const p = check.ping;
  // status 'error' = the probe could not run (our side): not an observation of the site.
  if (p && p.status !== 'error') {
    const f: Point['fields'] = {};
    put(f, 'up', int(p.received > 0));
    put(f, 'sent', p.sent);
    put(f, 'received', p.received);
    put(f, 'loss_pct', p.loss_pct);
    put(f, 'rtt_min_ms', p.rtt_min_ms);
    put(f, 'rtt_avg_ms', p.rtt_avg_ms);
    put(f, 'rtt_max_ms', p.rtt_max_ms);
    put(f, 'jitter_ms', p.jitter_ms);
    out.push({ measurement: 'ping', tags: svc ? svcTags(site, svc(ts)) : tags, fields: f, timestamp: ts });
  }
  const s = check.snmp;
  if (s) {
    const f: Point['fields'] = {};
    put(f, 'reachable', int(s.status === 'ok'));
    put(f, 'uptime_s', check.uptime_s);
    put(f, 'rebooted', int(check.rebooted));
    put(f, 'poll_ms', s.duration_ms);
    put(f, 'wireless_clients', s.wireless_clients);
    out.push({ measurement: 'snmp', tags, fields: f, timestamp: ts });
  }
  const x = check.push;
  if (x) {
    const f: Point['fields'] = {};
    put(f, 'received', int(x.status === 'ok'));
    put(f, 'late_s', x.late_s);
    put(f, 'uptime_s', check.uptime_s);
    if (x.status === 'ok') put(f, 'rebooted', int(check.rebooted));
    put(f, 'data_used_bytes', x.data_used_bytes);
    if (x.quota_exhausted !== undefined) put(f, 'quota_exhausted', int(x.quota_exhausted));
    out.push({ measurement: 'push', tags, fields: f, timestamp: ts });
  }
  const lte = x?.lte ?? s?.lte;
  if (lte) {
    const f: Point['fields'] = {};
    put(f, 'rsrp_dbm', lte.rsrp_dbm);
    put(f, 'rsrq_db', lte.rsrq_db);
    put(f, 'sinr_db', lte.sinr_db);
    put(f, 'rssi_dbm', lte.rssi_dbm);
    put(f, 'cell_id', lte.cell_id);
    put(f, 'enb_id', lte.enb_id);
    put(f, 'operator', lte.operator);
    put(f, 'band', lte.band);
    if (Object.keys(f).length) out.push({ measurement: 'lte', tags, fields: f, timestamp: ts });
  }
  for (const i of check.interfaces) {
    const f: Point['fields'] = {};
    put(f, 'oper_up', int(i.oper_up));
    put(f, 'in_bps', i.in_bps);
    put(f, 'out_bps', i.out_bps);
    put(f, 'speed_bps', i.speed_bps);
    put(f, 'in_errors_ps', i.in_errors_ps);
    put(f, 'out_errors_ps', i.out_errors_ps);
    put(f, 'in_discards_ps', i.in_discards_ps);
    put(f, 'out_discards_ps', i.out_discards_ps);
    const ifname = i.name.trim() || `if${i.index}`;
    const wan = String(check.wan?.name === i.name);
    out.push({
      measurement: 'interface',
      tags: ifaceTags(site, ifname, wan),
      fields: f,
      timestamp: ts,
    });
  }
  return out;
}

/**
 * One `site_state` point: the state alerting decided for this check, and the seconds it stands for.
 * With `svc`, it carries the service-hour tag.
 */
export function statePoint(site: Site, ts: number, state: SiteStateName, checked_s: number, svc?: SvcTagger): Point {
  return {
    measurement: 'site_state',
    tags: svc ? svcTags(site, svc(ts)) : baseTags(site),
    fields: {
      state,
      state_code: STATE_CODE[state],
      up: int(state === 'UP' || state === 'DEGRADED'),
      down: int(state === 'DOWN'),
      unreachable: int(state === 'UNREACHABLE'),
      unknown: int(state === 'UNKNOWN'),
      maintenance: int(state === 'MAINTENANCE'),
      checked_s,
    },
    timestamp: ts,
  };
}

/** An area (commune/group/province outage events): only the tags that apply are set. */
export interface EventArea {
  province: string;
  group?: string;
  commune?: string;
}

export interface EventFields {
  text?: string;
  from_state?: SiteStateName;
  to_state?: SiteStateName;
  cause?: string;
  incident_id?: number;
  value?: number;
}

/** One sparse `event` point (transition, reboot, incident open/resolve, flapping). */
export function eventPoint(subject: Site | EventArea, ts: number, type: EventType, fields: EventFields = {}): Point {
  const tags: Record<string, string> =
    'id' in subject
      ? siteTags(subject)
      : Object.fromEntries(
          (['province', 'group', 'commune'] as const).flatMap((k) => (subject[k] ? [[k, subject[k]!]] : [])),
        );
  tags.type = type;
  const f: Point['fields'] = {};
  for (const [k, v] of Object.entries(fields)) put(f, k, v as never);
  if (Object.keys(f).length === 0) f.text = type; // a point needs at least one field
  return { measurement: 'event', tags, fields: f, timestamp: ts };
}

/** Thrown by assertDeclared. */
export class SchemaViolation extends Error {
  override name = 'SchemaViolation';
}

/** Frozen tags objects that passed the tag check, per measurement (they cannot change after it). */
const checkedTags = Object.fromEntries(Object.keys(MEASUREMENTS).map((m) => [m, new WeakSet<object>()])) as Record<MeasurementName, WeakSet<object>>;
const where = (m: unknown) => `point ${JSON.stringify(m)}`;

/** Throw when the point uses anything the schema does not declare, or a value of the wrong type. */
export function assertDeclared(point: IPoint): void {
  const m = point.measurement;
  if (!m || !Object.hasOwn(MEASUREMENTS, m)) throw new SchemaViolation(`${where(m)}: undeclared measurement`);
  const decl = MEASUREMENTS[m as MeasurementName];
  const tagNames: readonly string[] = decl.tags;
  // for-in, not Object.entries: this runs on every point written (no garbage per point)
  const tags = (point.tags ?? {}) as Record<string, unknown>;
  // a shared (frozen) tags object is checked once per measurement, not once per point
  if (!checkedTags[m as MeasurementName].has(tags)) {
    for (const k in tags) {
      const v = tags[k];
      if (!tagNames.includes(k)) throw new SchemaViolation(`${where(m)}: undeclared tag '${k}'`);
      if (typeof v !== 'string' || v === '') throw new SchemaViolation(`${where(m)}: tag '${k}' must be a non-empty string`);
    }
    if (Object.isFrozen(tags)) checkedTags[m as MeasurementName].add(tags);
  }
  const fields = (point.fields ?? {}) as Record<string, unknown>;
  const types = decl.fields as Record<string, FieldType>;
  let n = 0;
  for (const k in fields) {
    n++;
    const v = fields[k];
    if (!Object.hasOwn(types, k)) throw new SchemaViolation(`${where(m)}: undeclared field '${k}'`);
    const t = types[k];
    const ok =
      t === FieldType.STRING
        ? typeof v === 'string'
        : t === FieldType.BOOLEAN
          ? typeof v === 'boolean'
          : t === FieldType.INTEGER
            ? typeof v === 'number' && Number.isSafeInteger(v)
            : typeof v === 'number' && Number.isFinite(v);
    if (!ok) throw new SchemaViolation(`${where(m)}: field '${k}' must be ${FieldType[t as FieldType].toLowerCase()} (got ${JSON.stringify(v)})`);
  }
  if (n === 0) throw new SchemaViolation(`${where(m)}: no fields`);
  const ts = point.timestamp;
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts <= 0) {
    throw new SchemaViolation(`${where(m)}: timestamp must be epoch milliseconds (got ${String(ts)})`);
  }
}
