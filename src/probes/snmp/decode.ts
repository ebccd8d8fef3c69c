/**
 * Pure decoding of SNMP varbinds into pointwatch's SnmpSystem / InterfaceCounters.
 * Strict about types: an agent that answers a counter with a string is reported, not guessed at.
 * No IO; tested on varbinds captured from real snmpd and snmpsim agents (testdata/).
 */
import { Interner } from '../../core/intern.js';
import type { InterfaceCounters, SnmpSystem } from '../../core/types.js';
import { IF_TABLE, IF_X_TABLE, SYSTEM, type IfColumn } from './oids.js';

/** ASN.1/SMI type tags as net-snmp reports them (snmp.ObjectType). */
export const T = {
  Integer: 2, OctetString: 4, Null: 5, OID: 6, IpAddress: 64, Counter32: 65, Gauge32: 66, TimeTicks: 67,
  Opaque: 68, Counter64: 70, NoSuchObject: 128, NoSuchInstance: 129, EndOfMibView: 130,
} as const;
const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(T).map(([k, v]) => [v, k]));
export const typeName = (t: number): string => TYPE_NAMES[t] ?? `type ${t}`;

/** A varbind as net-snmp delivers it (value: number | Buffer | string | null ...). */
export interface Vb { oid: string; type: number; value: unknown }

export const isExceptionType = (t: number) => t === T.NoSuchObject || t === T.NoSuchInstance || t === T.EndOfMibView;

/** Counter64 (net-snmp gives the raw big-endian bytes, variable length, empty for 0) → bigint. */
export function counter64ToBigint(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v >= 0n ? v : null;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null;
  if (Buffer.isBuffer(v)) {
    const len = v.length;
    if (len > 9 || (len === 9 && v[0] !== 0)) return null;
    // Up to 6 bytes (< 2^48, most counters) fit a number exactly: one BigInt; else two 32-bit halves.
    if (len <= 6) {
      let n = 0;
      for (let i = 0; i < len; i++) n = n * 256 + v[i]!;
      return BigInt(n);
    }
    let hi = 0, lo = 0;
    const split = len - 4;
    for (let i = len === 9 ? 1 : 0; i < split; i++) hi = hi * 256 + v[i]!;
    for (let i = split; i < len; i++) lo = lo * 256 + v[i]!;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  return null;
}

/** Decoded names are shared between sites that report the same ones (src/core/intern.ts). */
const names = new Interner();

export function text(v: unknown): string {
  if (Buffer.isBuffer(v)) {
    // Most names are plain text: decode once; only strings with control bytes or trailing NULs need the regexes.
    let plain = true;
    for (let i = 0; i < v.length; i++) {
      const b = v[i]!;
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a) || b === 0x7f) { plain = false; break; }
    }
    const str = v.toString('utf8');
    return names.intern(plain ? str : str.replace(/\0+$/, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?'));
  }
  return typeof v === 'string' ? v : '';
}

export interface Decoded<T> { value: T; problems: string[] }

/**
 * The system group from one GET of SYSTEM.* (any order). sysUpTime is required (it is how reboots
 * are seen); the other three default to '' when missing.
 */
export function decodeSystem(vbs: Vb[]): Decoded<SnmpSystem | null> {
  // a handful of varbinds, read once per poll: found by a scan (no Map, no closure per call); as
  // with a Map, the last varbind of an OID wins
  let up: Vb | undefined, descr: Vb | undefined, name: Vb | undefined, oidVb: Vb | undefined;
  for (let i = 0; i < vbs.length; i++) {
    const v = vbs[i]!;
    if (v.oid === SYSTEM.sysUpTime) up = v;
    else if (v.oid === SYSTEM.sysDescr) descr = v;
    else if (v.oid === SYSTEM.sysName) name = v;
    else if (v.oid === SYSTEM.sysObjectID) oidVb = v;
  }
  const problems: string[] = [];
  let uptime: number | null = null;
  if (!up) problems.push('sysUpTime.0: missing from the response');
  else if (isExceptionType(up.type)) problems.push(`sysUpTime.0: ${typeName(up.type)}`);
  else if (up.type !== T.TimeTicks || typeof up.value !== 'number' || !(up.value >= 0)) problems.push(`sysUpTime.0: expected TimeTicks, got ${typeName(up.type)}`);
  else uptime = up.value;
  const sys_descr = systemString(descr, 'sysDescr.0', problems);
  const sys_name = systemString(name, 'sysName.0', problems);
  let sys_object_id = '';
  if (oidVb && !isExceptionType(oidVb.type)) {
    if (oidVb.type !== T.OID) problems.push(`sysObjectID.0: expected OID, got ${typeName(oidVb.type)}`);
    else sys_object_id = String(oidVb.value);
  }
  return { value: uptime === null ? null : { uptime_ticks: uptime, sys_name, sys_descr, sys_object_id }, problems };
}

/** sysDescr/sysName as text: '' when missing or an exception value; a wrong type is a problem. */
function systemString(v: Vb | undefined, label: string, problems: string[]): string {
  if (!v || isExceptionType(v.type)) return '';
  if (v.type !== T.OctetString) { problems.push(`${label}: expected OctetString, got ${typeName(v.type)}`); return ''; }
  return text(v.value);
}

/** Column rows by ifIndex, as a walk produced them. */
export type ColumnRows = Partial<Record<IfColumn, Vb[]>>;

const COLUMN_OIDS: Record<IfColumn, string> = { ...IF_TABLE, ...IF_X_TABLE };

/** Each column's slot in a row array (a constant-keyed literal: cheap to read), its name and its type. */
const S = {
  ifDescr: 0, ifSpeed: 1, ifAdminStatus: 2, ifOperStatus: 3, ifInOctets: 4, ifInDiscards: 5, ifInErrors: 6,
  ifOutOctets: 7, ifOutDiscards: 8, ifOutErrors: 9, ifName: 10, ifHCInOctets: 11, ifHCOutOctets: 12, ifHighSpeed: 13,
} as const satisfies Record<IfColumn, number>;
const COLUMNS = Object.keys(S) as IfColumn[];
const PREFIX = COLUMNS.map((c) => `${COLUMN_OIDS[c]}.`);
const EXPECT: readonly number[] = COLUMNS.map((c) => ({
  ifDescr: T.OctetString, ifName: T.OctetString,
  ifSpeed: T.Gauge32, ifHighSpeed: T.Gauge32,
  ifAdminStatus: T.Integer, ifOperStatus: T.Integer,
  ifInOctets: T.Counter32, ifOutOctets: T.Counter32,
  ifInErrors: T.Counter32, ifOutErrors: T.Counter32,
  ifInDiscards: T.Counter32, ifOutDiscards: T.Counter32,
  ifHCInOctets: T.Counter64, ifHCOutOctets: T.Counter64,
})[c]);

type Row = Array<Vb | undefined>;

/** The row index (last arc after the column prefix), or -1 when it is not one positive integer. */
function rowIndexOf(oid: string, from: number): number {
  if (from >= oid.length) return -1;
  let n = 0;
  for (let i = from; i < oid.length; i++) {
    const c = oid.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n > 0 && Number.isSafeInteger(n) ? n : -1;
}

/** A cell of the expected type, or null (missing, an exception value, or the wrong type: listed in problems). */
function cell(row: Row, slot: number, idx: number, problems: string[]): Vb | null {
  const vb = row[slot];
  if (!vb || isExceptionType(vb.type)) return null;
  if (vb.type !== EXPECT[slot]) {
    problems.push(`${COLUMNS[slot]}.${idx}: expected ${typeName(EXPECT[slot]!)}, got ${typeName(vb.type)}`);
    return null;
  }
  return vb;
}

const num = (vb: Vb | null): number | null => (vb && typeof vb.value === 'number' && Number.isFinite(vb.value) ? vb.value : null);

function big32(vb: Vb | null): bigint | null {
  const n = num(vb);
  return n !== null && n >= 0 && Number.isInteger(n) ? BigInt(n) : null;
}

function big64(vb: Vb | null, slot: number, idx: number, problems: string[]): bigint | null {
  if (!vb) return null;
  const b = counter64ToBigint(vb.value);
  if (b === null) problems.push(`${COLUMNS[slot]}.${idx}: malformed Counter64`);
  return b;
}

const byNumber = (a: number, b: number) => a - b;

/**
 * Assemble interfaces from walked columns. Rows are keyed by ifIndex (the OID's last arc).
 * `use64` = read ifHC* (v2c/v3); otherwise (v1) 32-bit counters only.
 * Values of the wrong type become null and are listed in `problems` (`ifHCInOctets.3: expected Counter64, got OctetString`).
 */
export function decodeInterfaces(cols: ColumnRows, use64: boolean): Decoded<InterfaceCounters[]> {
  const problems: string[] = [];
  const table = new Map<number, Row>();
  for (let slot = 0; slot < COLUMNS.length; slot++) {
    const rows = cols[COLUMNS[slot]!];
    if (!rows) continue;
    const prefix = PREFIX[slot]!;
    for (let k = 0; k < rows.length; k++) {
      const vb = rows[k]!;
      if (!vb.oid.startsWith(prefix)) continue;
      const idx = rowIndexOf(vb.oid, prefix.length);
      if (idx < 0) continue;
      let row = table.get(idx);
      if (!row) { row = new Array<Vb | undefined>(COLUMNS.length).fill(undefined); table.set(idx, row); }
      row[slot] = vb;
    }
  }

  // Only rows the ifTable knows (ifXTable rows without an ifTable row are not interfaces we can read).
  const indexes: number[] = [];
  table.forEach((r, idx) => { if (r[S.ifDescr] || r[S.ifOperStatus] || r[S.ifInOctets]) indexes.push(idx); });
  indexes.sort(byNumber);

  const out: InterfaceCounters[] = [];
  for (const idx of indexes) {
    const row = table.get(idx)!;
    const descr = text(cell(row, S.ifDescr, idx, problems)?.value);
    const xname = text(cell(row, S.ifName, idx, problems)?.value);
    const hcIn = use64 ? cell(row, S.ifHCInOctets, idx, problems) : null;
    const hcOut = use64 ? cell(row, S.ifHCOutOctets, idx, problems) : null;
    const has64 = hcIn !== null || hcOut !== null;
    const highSpeed = num(cell(row, S.ifHighSpeed, idx, problems));
    const speed = num(cell(row, S.ifSpeed, idx, problems));
    const speed_bps = highSpeed !== null && highSpeed > 0 ? highSpeed * 1e6 : speed !== null && speed > 0 ? speed : null;
    out.push({
      index: idx,
      name: xname || descr || `if${idx}`,
      descr,
      admin_up: num(cell(row, S.ifAdminStatus, idx, problems)) === 1,
      oper_up: num(cell(row, S.ifOperStatus, idx, problems)) === 1,
      counter_bits: has64 ? 64 : 32,
      in_octets: has64 ? big64(hcIn, S.ifHCInOctets, idx, problems) : big32(cell(row, S.ifInOctets, idx, problems)),
      out_octets: has64 ? big64(hcOut, S.ifHCOutOctets, idx, problems) : big32(cell(row, S.ifOutOctets, idx, problems)),
      in_errors: big32(cell(row, S.ifInErrors, idx, problems)),
      out_errors: big32(cell(row, S.ifOutErrors, idx, problems)),
      in_discards: big32(cell(row, S.ifInDiscards, idx, problems)),
      out_discards: big32(cell(row, S.ifOutDiscards, idx, problems)),
      speed_bps,
    });
  }
  return { value: out, problems };
}
