/**
 * The push report (version 1): what a router behind carrier NAT sends every interval_s seconds.
 * Pure: text in, a parsed report or a problem out (never throws). The one schema of the wire format
 * (TypeBox): the README's table, the OpenWrt and RouterOS scripts and their fixtures in testdata/
 * all follow it.
 *
 * Counters are decimal strings (or safe integers) and stay bigint until a rate is computed.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { InterfaceCounters, LteFigures } from '../core/types.js';

const MAX_COUNTER = (1n << 64n) - 1n;

/** A counter: decimal digits (exact up to 2^64-1) or a JSON integer up to 2^53. */
const Counter = Type.Union([Type.String({ pattern: '^[0-9]{1,20}$' }), Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })]);
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x20-\\x7e]+$' });

export const PushInterface = Type.Object({
  name: Name,
  rx_bytes: Counter,
  tx_bytes: Counter,
  rx_errors: Type.Optional(Counter),
  tx_errors: Type.Optional(Counter),
  rx_drops: Type.Optional(Counter),
  tx_drops: Type.Optional(Counter),
  oper_up: Type.Optional(Type.Boolean({ description: 'default true' })),
  speed_bps: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
  counter_bits: Type.Optional(Type.Union([Type.Literal(32), Type.Literal(64)], { description: 'default 64' })),
}, { additionalProperties: false });

export const PushLte = Type.Object({
  rsrp_dbm: Type.Optional(Type.Number({ minimum: -160, maximum: -30 })),
  rsrq_db: Type.Optional(Type.Number({ minimum: -40, maximum: 10 })),
  sinr_db: Type.Optional(Type.Number({ minimum: -30, maximum: 60 })),
  rssi_dbm: Type.Optional(Type.Number({ minimum: -130, maximum: 0 })),
  cell_id: Type.Optional(Type.Integer({ minimum: 0, maximum: 268435455, description: 'E-UTRAN cell id (28 bits)' })),
  enb_id: Type.Optional(Type.Integer({ minimum: 0, maximum: 1048575 })),
  operator: Type.Optional(Type.String({ maxLength: 64, pattern: '^[^\\x00-\\x1f\\x7f]*$' })),
  band: Type.Optional(Type.String({ maxLength: 16, pattern: '^[A-Za-z0-9 ._-]*$' })),
}, { additionalProperties: false });

export const PushReport = Type.Object({
  v: Type.Literal(1),
  site: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
  uptime_s: Type.Number({ minimum: 0, maximum: 3.2e9 }),
  interfaces: Type.Array(PushInterface, { maxItems: 64 }),
  wan: Type.Optional(Name),
  lte: Type.Optional(PushLte),
  data: Type.Optional(Type.Object({
    used_bytes: Type.Optional(Counter),
    quota_exhausted: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false })),
}, { additionalProperties: false, $id: 'PushReport' });
export type PushReportJson = Static<typeof PushReport>;

const check = TypeCompiler.Compile(PushReport);

/** A report, counters as bigint, in the shapes the counter math already takes. */
export interface ParsedReport {
  uptime_s: number;
  interfaces: InterfaceCounters[];
  wan?: string;
  lte?: LteFigures;
  data_used_bytes?: number;
  quota_exhausted?: boolean;
}

export type ParseResult =
  | { ok: true; report: ParsedReport }
  | { ok: false; code: 'bad_json' | 'bad_report' | 'site_mismatch'; message: string; field?: string };

const big = (v: string | number | undefined): bigint | null => (v === undefined ? null : BigInt(v));

/** Parse and check one report body for `site` (the site of the URL, which the signature was checked for). */
export function parseReport(text: string, site: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', message: 'the body is not JSON' };
  }
  if (!check.Check(json)) {
    const e = check.Errors(json).First()!;
    const field = e.path.split('/').filter(Boolean).join('.');
    return { ok: false, code: 'bad_report', message: `report: "${field || '(body)'}" ${e.message}`, ...(field ? { field } : {}) };
  }
  const r = json;
  if (r.site !== undefined && r.site !== site) {
    return { ok: false, code: 'site_mismatch', message: `the report names site "${r.site}" but was sent for "${site}"`, field: 'site' };
  }
  const seen = new Set<string>();
  const interfaces: InterfaceCounters[] = [];
  for (let i = 0; i < r.interfaces.length; i++) {
    const x = r.interfaces[i]!;
    if (seen.has(x.name)) return { ok: false, code: 'bad_report', message: `report: interface "${x.name}" appears twice`, field: `interfaces.${i}.name` };
    seen.add(x.name);
    const counters = { in_octets: big(x.rx_bytes), out_octets: big(x.tx_bytes), in_errors: big(x.rx_errors), out_errors: big(x.tx_errors), in_discards: big(x.rx_drops), out_discards: big(x.tx_drops) };
    for (const [k, v] of Object.entries(counters)) {
      if (v !== null && v > MAX_COUNTER) return { ok: false, code: 'bad_report', message: `report: interfaces.${i}: ${k} is above 2^64-1`, field: `interfaces.${i}` };
    }
    interfaces.push({
      index: i + 1, name: x.name, descr: x.name, admin_up: true, oper_up: x.oper_up ?? true,
      counter_bits: x.counter_bits ?? 64, ...counters, speed_bps: x.speed_bps ?? null,
    });
  }
  if (r.wan !== undefined && !seen.has(r.wan)) return { ok: false, code: 'bad_report', message: `report: wan "${r.wan}" is not one of the interfaces`, field: 'wan' };
  const used = r.data?.used_bytes;
  return {
    ok: true,
    report: {
      uptime_s: r.uptime_s,
      interfaces,
      ...(r.wan !== undefined ? { wan: r.wan } : {}),
      ...(r.lte !== undefined && Object.keys(r.lte).length ? { lte: { ...r.lte } } : {}),
      ...(used !== undefined ? { data_used_bytes: Number(used) } : {}),
      ...(r.data?.quota_exhausted !== undefined ? { quota_exhausted: r.data.quota_exhausted } : {}),
    },
  };
}
