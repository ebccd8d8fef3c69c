/**
 * Pure decoding of SNMP varbinds into pointwatch's SnmpSystem / InterfaceCounters.
 * Strict about types: an agent that answers a counter with a string is reported, not guessed at.
 * No IO; tested on varbinds captured from real snmpd and snmpsim agents (testdata/).
 */
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
    if (v.length === 0) return 0n;
    if (v.length > 9) return null;
    const n = BigInt(`0x${v.toString('hex')}`);
    return n < 1n << 64n ? n : null;
  }
  return null;
}

function text(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8').replace(/\0+$/, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return typeof v === 'string' ? v : '';
}

export interface Decoded<T> { value: T; problems: string[] }

/**
 * The system group from one GET of SYSTEM.* (any order). sysUpTime is required (it is how reboots
 * are seen); the other three default to '' when missing.
 */
export function decodeSystem(vbs: Vb[]): Decoded<SnmpSystem | null> {
  const by = new Map(vbs.map((v) => [v.oid, v]));
  const problems: string[] = [];
  const up = by.get(SYSTEM.sysUpTime);
  let uptime: number | null = null;
  if (!up) problems.push('sysUpTime.0: missing from the response');
  else if (isExceptionType(up.type)) problems.push(`sysUpTime.0: ${typeName(up.type)}`);
  else if (up.type !== T.TimeTicks || typeof up.value !== 'number' || !(up.value >= 0)) problems.push(`sysUpTime.0: expected TimeTicks, got ${typeName(up.type)}`);
  else uptime = up.value;
  const str = (oid: string, label: string) => {
    const v = by.get(oid);
    if (!v || isExceptionType(v.type)) return '';
    if (v.type !== T.OctetString) { problems.push(`${label}: expected OctetString, got ${typeName(v.type)}`); return ''; }
    return text(v.value);
  };
  const sys_descr = str(SYSTEM.sysDescr, 'sysDescr.0');
  const sys_name = str(SYSTEM.sysName, 'sysName.0');
  let sys_object_id = '';
  const oidVb = by.get(SYSTEM.sysObjectID);
  if (oidVb && !isExceptionType(oidVb.type)) {
    if (oidVb.type !== T.OID) problems.push(`sysObjectID.0: expected OID, got ${typeName(oidVb.type)}`);
    else sys_object_id = String(oidVb.value);
  }
  return { value: uptime === null ? null : { uptime_ticks: uptime, sys_name, sys_descr, sys_object_id }, problems };
}

/** Column rows by ifIndex, as a walk produced them. */
export type ColumnRows = Partial<Record<IfColumn, Vb[]>>;

const COLUMN_OIDS: Record<IfColumn, string> = { ...IF_TABLE, ...IF_X_TABLE };

const EXPECT: Record<IfColumn, readonly number[]> = {
  ifDescr: [T.OctetString], ifName: [T.OctetString],
  ifSpeed: [T.Gauge32], ifHighSpeed: [T.Gauge32],
  ifAdminStatus: [T.Integer], ifOperStatus: [T.Integer],
  ifInOctets: [T.Counter32], ifOutOctets: [T.Counter32],
  ifInErrors: [T.Counter32], ifOutErrors: [T.Counter32],
  ifInDiscards: [T.Counter32], ifOutDiscards: [T.Counter32],
  ifHCInOctets: [T.Counter64], ifHCOutOctets: [T.Counter64],
};

/**
 * Assemble interfaces from walked columns. Rows are keyed by ifIndex (the OID's last arc).
 * `use64` = read ifHC* (v2c/v3); otherwise (v1) 32-bit counters only.
 * Values of the wrong type become null and are listed in `problems` (`ifHCInOctets.3: expected Counter64, got OctetString`).
 */
export function decodeInterfaces(cols: ColumnRows, use64: boolean): Decoded<InterfaceCounters[]> {
  const problems: string[] = [];
  const table = new Map<number, Partial<Record<IfColumn, Vb>>>();
  for (const [col, rows] of Object.entries(cols) as Array<[IfColumn, Vb[]]>) {
    const prefix = `${COLUMN_OIDS[col]}.`;
    for (const vb of rows ?? []) {
      if (!vb.oid.startsWith(prefix)) continue;
      const idx = Number(vb.oid.slice(prefix.length));
      if (!Number.isSafeInteger(idx) || idx <= 0) continue;
      let row = table.get(idx);
      if (!row) { row = {}; table.set(idx, row); }
      row[col] = vb;
    }
  }
  const get = (row: Partial<Record<IfColumn, Vb>>, col: IfColumn, idx: number): Vb | null => {
    const vb = row[col];
    if (!vb || isExceptionType(vb.type)) return null;
    if (!EXPECT[col].includes(vb.type)) {
      problems.push(`${col}.${idx}: expected ${EXPECT[col].map(typeName).join('|')}, got ${typeName(vb.type)}`);
      return null;
    }
    return vb;
  };
  const num = (vb: Vb | null): number | null => (vb && typeof vb.value === 'number' && Number.isFinite(vb.value) ? vb.value : null);
  const big32 = (vb: Vb | null): bigint | null => {
    const n = num(vb);
    return n !== null && n >= 0 && Number.isInteger(n) ? BigInt(n) : null;
  };
  const big64 = (vb: Vb | null, col: IfColumn, idx: number): bigint | null => {
    if (!vb) return null;
    const b = counter64ToBigint(vb.value);
    if (b === null) problems.push(`${col}.${idx}: malformed Counter64`);
    return b;
  };

  const out: InterfaceCounters[] = [];
  // Only rows the ifTable knows (ifXTable rows without an ifTable row are not interfaces we can read).
  const indexes = [...table.entries()]
    .filter(([, r]) => r.ifDescr || r.ifOperStatus || r.ifInOctets)
    .map(([i]) => i)
    .sort((a, b) => a - b);
  for (const idx of indexes) {
    const row = table.get(idx)!;
    const descr = text(get(row, 'ifDescr', idx)?.value);
    const xname = text(get(row, 'ifName', idx)?.value);
    const hcIn = use64 ? get(row, 'ifHCInOctets', idx) : null;
    const hcOut = use64 ? get(row, 'ifHCOutOctets', idx) : null;
    const has64 = hcIn !== null || hcOut !== null;
    const highSpeed = num(get(row, 'ifHighSpeed', idx));
    const speed = num(get(row, 'ifSpeed', idx));
    const speed_bps = highSpeed !== null && highSpeed > 0 ? highSpeed * 1e6 : speed !== null && speed > 0 ? speed : null;
    out.push({
      index: idx,
      name: xname || descr || `if${idx}`,
      descr,
      admin_up: num(get(row, 'ifAdminStatus', idx)) === 1,
      oper_up: num(get(row, 'ifOperStatus', idx)) === 1,
      counter_bits: has64 ? 64 : 32,
      in_octets: has64 ? big64(hcIn, 'ifHCInOctets', idx) : big32(get(row, 'ifInOctets', idx)),
      out_octets: has64 ? big64(hcOut, 'ifHCOutOctets', idx) : big32(get(row, 'ifOutOctets', idx)),
      in_errors: big32(get(row, 'ifInErrors', idx)),
      out_errors: big32(get(row, 'ifOutErrors', idx)),
      in_discards: big32(get(row, 'ifInDiscards', idx)),
      out_discards: big32(get(row, 'ifOutDiscards', idx)),
      speed_bps,
    });
  }
  return { value: out, problems };
}
