/**
 * SNMP v1/v2c messages (RFC 1157, RFC 3416) in BER, pure: a GET / GETNEXT / GETBULK request out,
 * a Response PDU in. Values as net-snmp hands them back (decode.ts reads them): Integer → number,
 * Counter32/Gauge32/TimeTicks → unsigned number, OctetString/Opaque/Counter64 → Buffer (a view
 * into the datagram), OID → dotted string, IpAddress → 'a.b.c.d', exceptions → null.
 * The bytes are pinned to net-snmp's own on captured datagrams (ber.test.ts).
 * OIDs are encoded and decoded through a bounded memo: a poller asks and reads the same few dozen.
 */
import type { Vb } from './decode.js';

export const PDU = { get: 0xa0, getNext: 0xa1, response: 0xa2, getBulk: 0xa5 } as const;

/** A datagram that is not a well-formed SNMP v1/v2c message. */
export class BerError extends Error {
  override name = 'BerError';
}

export interface Response {
  version: number;
  community: Buffer;
  pdu: number;
  requestId: number;
  errorStatus: number;
  errorIndex: number;
  varbinds: Vb[];
}

const MAX_MEMO = 20_000;
let oidBytes = new Map<string, Buffer>();
/** Read memo: a hash of the content bytes → entries (bytes kept to compare in place). */
interface ReadEntry { bytes: Buffer; oid: string; next: ReadEntry | null }
let oidStrings = new Map<number, ReadEntry>();
let oidStringCount = 0;

/** An OID's content bytes (X.690 8.19). Throws on anything but a dotted string of at least two arcs. */
export function oidContent(oid: string): Buffer {
  const hit = oidBytes.get(oid);
  if (hit) return hit;
  if (!/^\d+(\.\d+)+$/.test(oid)) throw new BerError(`not an OID: '${oid.slice(0, 80)}'`);
  const arcs = oid.split('.').map(Number);
  const bytes: number[] = [];
  const first = arcs[0]! * 40 + arcs[1]!;
  for (const arc of [first, ...arcs.slice(2)]) {
    if (!Number.isSafeInteger(arc) || arc > 0xffffffff) throw new BerError(`OID arc out of range in '${oid.slice(0, 80)}'`);
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  const buf = Buffer.from(bytes);
  if (oidBytes.size >= MAX_MEMO) oidBytes = new Map();
  oidBytes.set(oid, buf);
  return buf;
}

/** Octets of a definite length (X.690 8.1.3). */
const lengthSize = (n: number): number => (n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4);

/** Octets of a non-negative integer's minimal two's-complement content. */
function intSize(n: number): number {
  let size = 1;
  for (let v = n; v > 0x7f; v = Math.floor(v / 256)) size++;
  return size;
}

/** Writes into one Buffer, left to right; sizes are computed before. */
class Out {
  at = 0;
  constructor(readonly buf: Buffer) {}
  head(tag: number, len: number): void {
    const b = this.buf;
    b[this.at++] = tag;
    if (len < 0x80) b[this.at++] = len;
    else if (len < 0x100) { b[this.at++] = 0x81; b[this.at++] = len; }
    else if (len < 0x10000) { b[this.at++] = 0x82; b[this.at++] = len >> 8; b[this.at++] = len & 0xff; }
    else { b[this.at++] = 0x83; b[this.at++] = len >> 16; b[this.at++] = (len >> 8) & 0xff; b[this.at++] = len & 0xff; }
  }
  /** Small copies byte by byte: cheaper than Buffer.copy's native call at these sizes. */
  bytes(src: Buffer): void {
    const b = this.buf;
    for (let i = 0; i < src.length; i++) b[this.at++] = src[i]!;
  }
  int(n: number): void {
    const size = intSize(n);
    this.head(0x02, size);
    for (let i = size - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) this.buf[this.at + i] = v & 0xff;
    this.at += size;
  }
}

/** A request: `a`/`b` are error-status/error-index (0, 0), or non-repeaters/max-repetitions for GETBULK. */
export function encodeRequest(version: 0 | 1, community: string | Buffer, pdu: number, requestId: number, a: number, b: number, oids: readonly string[]): Buffer {
  const contents: Buffer[] = new Array(oids.length);
  let listLen = 0;
  for (let i = 0; i < oids.length; i++) {
    const c = (contents[i] = oidContent(oids[i]!));
    const vbLen = 1 + lengthSize(c.length) + c.length + 2;
    listLen += 1 + lengthSize(vbLen) + vbLen;
  }
  const intTlv = (n: number) => 2 + intSize(n);
  const pduLen = intTlv(requestId) + intTlv(a) + intTlv(b) + 1 + lengthSize(listLen) + listLen;
  const comm = typeof community === 'string' ? Buffer.from(community, 'utf8') : community;
  const commLen = comm.length;
  const msgLen = 3 + 1 + lengthSize(commLen) + commLen + 1 + lengthSize(pduLen) + pduLen;
  const out = new Out(Buffer.allocUnsafe(1 + lengthSize(msgLen) + msgLen));
  out.head(0x30, msgLen);
  out.int(version);
  out.head(0x04, commLen);
  out.bytes(comm);
  out.head(pdu, pduLen);
  out.int(requestId);
  out.int(a);
  out.int(b);
  out.head(0x30, listLen);
  for (const c of contents) {
    out.head(0x30, 1 + lengthSize(c.length) + c.length + 2);
    out.head(0x06, c.length);
    out.bytes(c);
    out.buf[out.at++] = 0x05;
    out.buf[out.at++] = 0x00;
  }
  return out.buf;
}

/** Read cursor over one datagram; every read is bounded by `end` of the enclosing TLV. */
class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}

  /** Tag and length of the next TLV; returns where its content ends. */
  header(expect: number | null, end: number, what: string): { tag: number; end: number } {
    if (this.at + 2 > end) throw new BerError(`truncated ${what}`);
    const tag = this.buf[this.at++]!;
    if (expect !== null && tag !== expect) throw new BerError(`expected ${what} (0x${expect.toString(16)}), got 0x${tag.toString(16)}`);
    let len = this.buf[this.at++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 3 || this.at + n > end) throw new BerError(`bad length of ${what}`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + this.buf[this.at++]!;
    }
    if (this.at + len > end) throw new BerError(`truncated ${what} (needs ${len} bytes, ${end - this.at} left)`);
    return { tag, end: this.at + len };
  }

  /** Signed integer content of `len` bytes (1..5). */
  int(end: number, what: string): number {
    const len = end - this.at;
    if (len < 1 || len > 5) throw new BerError(`${what}: integer of ${len} bytes`);
    let v = this.buf[this.at]! & 0x80 ? -1 : 0;
    while (this.at < end) v = v * 256 + this.buf[this.at++]!;
    return v;
  }

  oid(end: number): string {
    const start = this.at;
    const buf = this.buf;
    if (end === start) throw new BerError('empty OID');
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    for (let e: ReadEntry | null | undefined = oidStrings.get(h); e; e = e.next) {
      if (sameBytes(e.bytes, buf, start, end)) { this.at = end; return e.oid; }
    }
    let out = '';
    let v = 0;
    let firstArc = true;
    while (this.at < end) {
      const b = buf[this.at++]!;
      v = v * 128 + (b & 0x7f);
      if (b & 0x80) { if (this.at === end) throw new BerError('truncated OID arc'); continue; }
      if (firstArc) { out = v < 80 ? `${Math.floor(v / 40)}.${v % 40}` : `2.${v - 80}`; firstArc = false; }
      else out += `.${v}`;
      v = 0;
    }
    if (oidStringCount >= MAX_MEMO) { oidStrings = new Map(); oidStringCount = 0; }
    oidStrings.set(h, { bytes: Buffer.from(buf.subarray(start, end)), oid: out, next: oidStrings.get(h) ?? null });
    oidStringCount++;
    return out;
  }
}

function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

function readValue(r: Reader, tag: number, end: number): unknown {
  switch (tag) {
    case 0x02: { const v = r.int(end, 'Integer'); if (v < -0x80000000 || v > 0x7fffffff) throw new BerError(`Integer ${v} outside 32 bits`); return v; }
    case 0x41: case 0x42: case 0x43: {
      const v = r.int(end, 'unsigned');
      if (v < 0 ? v < -0x80000000 : v > 0xffffffff) throw new BerError(`unsigned ${v} outside 32 bits`);
      return v >>> 0;
    }
    case 0x04: case 0x44: case 0x46: case 0x03: { const b = r.buf.subarray(r.at, end); r.at = end; return b; }
    case 0x06: return r.oid(end);
    case 0x40: {
      if (end - r.at !== 4) throw new BerError(`IpAddress of ${end - r.at} bytes`);
      const b = r.buf;
      const v = `${b[r.at]}.${b[r.at + 1]}.${b[r.at + 2]}.${b[r.at + 3]}`;
      r.at = end;
      return v;
    }
    case 0x01: { const v = end > r.at && r.buf[r.at] !== 0; r.at = end; return v; }
    case 0x05: case 0x80: case 0x81: case 0x82: r.at = end; return null;
    default: throw new BerError(`Unknown type 0x${tag.toString(16)} in varbind`);
  }
}

/** A v1/v2c message as an agent sends it back. Throws BerError on anything malformed. */
export function decodeResponse(buf: Buffer): Response {
  const r = new Reader(buf);
  const msg = r.header(0x30, buf.length, 'message');
  const version = r.int(r.header(0x02, msg.end, 'version').end, 'version');
  const cEnd = r.header(0x04, msg.end, 'community').end;
  const community = buf.subarray(r.at, cEnd);
  r.at = cEnd;
  const pdu = r.header(null, msg.end, 'PDU');
  if (pdu.tag < 0xa0 || pdu.tag > 0xa8) throw new BerError(`expected a PDU, got 0x${pdu.tag.toString(16)}`);
  const requestId = r.int(r.header(0x02, pdu.end, 'request-id').end, 'request-id');
  const errorStatus = r.int(r.header(0x02, pdu.end, 'error-status').end, 'error-status');
  const errorIndex = r.int(r.header(0x02, pdu.end, 'error-index').end, 'error-index');
  const list = r.header(0x30, pdu.end, 'varbind list');
  const varbinds: Vb[] = [];
  while (r.at < list.end) {
    const vb = r.header(0x30, list.end, 'varbind');
    const oid = r.oid(r.header(0x06, vb.end, 'varbind OID').end);
    const v = r.header(null, vb.end, 'varbind value');
    varbinds.push({ oid, type: v.tag, value: readValue(r, v.tag, v.end) });
    r.at = vb.end;
  }
  return { version, community, pdu: pdu.tag, requestId, errorStatus, errorIndex, varbinds };
}
