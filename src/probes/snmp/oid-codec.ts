/**
 * OID encoding and decoding for net-snmp, remembered instead of redone.
 *
 * net-snmp reads every varbind's OID with asn1-ber's `Reader.readOID` (a Buffer slice, an array of
 * arcs, `join('.')`) and writes every request OID with `Writer.writeOID` (a regex, `split('.')`,
 * `parseInt` per arc). A poller asks the same few dozen OIDs of every router and gets the same few
 * dozen back (sysUpTime.0, ifHCInOctets.1 …), so at 5,000 sites these two were ~8 % of the process's
 * CPU, plus the garbage they left. `installOidCache()` wraps both methods on asn1-ber's prototypes
 * (the module instance net-snmp itself loads) with a bounded memo:
 *
 * - read: the OID's content bytes are hashed where they lie in the packet (no slice); a hit
 *   advances the reader exactly as the original does and returns the remembered string (one string
 *   object per distinct OID, shared by every site). Anything but a short-form OID (tag 0x06, 1–127
 *   content bytes, whole in the buffer) goes to the original method, untouched.
 * - write: the content bytes of an OID string are kept by string; a hit writes tag, length and the
 *   bytes. A miss runs the original method (which validates and may throw: nothing is kept then).
 *
 * Every answer is the original method's answer: misses are computed by it, and the property tests
 * (oid-codec.test.ts) compare both on random and malformed OIDs. Bounded: past `MAX_ENTRIES`
 * distinct OIDs a table starts over, so walking huge tables cannot grow it without end.
 */
import { createRequire } from 'node:module';

const MAX_ENTRIES = 20_000;
const OID_TAG = 0x06;

interface BerReader {
  _buf: Buffer;
  _size: number;
  _offset: number;
  _len: number;
  readOID(tag?: number): string | null;
}
interface BerWriter {
  _buf: Buffer;
  _offset: number;
  _ensure(n: number): void;
  writeByte(b: number): void;
  writeLength(n: number): void;
  writeOID(s: string, tag?: number): void;
}
interface BerModule {
  Reader: { prototype: BerReader; new (data: Buffer): BerReader };
  Writer: { prototype: BerWriter; new (): BerWriter & { buffer: Buffer } };
}

/** asn1-ber as net-snmp loads it (resolved from net-snmp's own location, so it is the same instance). */
export function netSnmpBer(): BerModule {
  const req = createRequire(import.meta.url);
  const fromSnmp = createRequire(req.resolve('net-snmp'));
  return (fromSnmp('asn1-ber') as { Ber: BerModule }).Ber;
}

/** One remembered OID: its content bytes as a one-byte string (compact, compared in place), its dotted form. */
interface ReadEntry { bytes: string; oid: string; next: ReadEntry | null }

export interface OidCacheStats { read_hits: number; read_misses: number; read_entries: number; write_hits: number; write_misses: number; write_entries: number }

export interface OidCache {
  /** The methods as asn1-ber had them (for tests and `uninstall`). */
  readonly originalReadOID: BerReader['readOID'];
  readonly originalWriteOID: BerWriter['writeOID'];
  stats(): OidCacheStats;
  /** Put the original methods back (tests). */
  uninstall(): void;
}

const installed = new WeakMap<BerModule, OidCache>();

/** FNV-1a over buf[start, end). */
function hashBytes(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h;
}

function sameBytes(bytes: string, buf: Buffer, start: number, len: number): boolean {
  if (bytes.length !== len) return false;
  for (let i = 0; i < len; i++) if (bytes.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

/** Wrap readOID/writeOID of net-snmp's asn1-ber with the memo (idempotent: a second call returns the first). */
export function installOidCache(ber: BerModule = netSnmpBer(), maxEntries = MAX_ENTRIES): OidCache {
  const done = installed.get(ber);
  if (done) return done;
  const R = ber.Reader.prototype;
  const W = ber.Writer.prototype;
  const originalReadOID = R.readOID;
  const originalWriteOID = W.writeOID;
  let reads = new Map<number, ReadEntry>();
  let readCount = 0;
  let writes = new Map<string, Buffer>();
  const st = { read_hits: 0, read_misses: 0, write_hits: 0, write_misses: 0 };

  R.readOID = function readOID(this: BerReader, tag?: number): string | null {
    const off = this._offset;
    const buf = this._buf;
    const size = this._size;
    // Only the plain case (the original's default tag, short-form length, content whole in the buffer);
    // everything else, errors included, is the original's to handle.
    if ((tag && tag !== OID_TAG) || size - off < 2 || buf[off] !== OID_TAG) return originalReadOID.call(this, tag);
    const len = buf[off + 1]!;
    const start = off + 2;
    if (len === 0 || len > 0x7f || len > size - start) return originalReadOID.call(this, tag);
    const h = hashBytes(buf, start, start + len);
    for (let e: ReadEntry | null | undefined = reads.get(h); e; e = e.next) {
      if (sameBytes(e.bytes, buf, start, len)) {
        st.read_hits++;
        // what readString leaves behind: the length read, the offset past the content
        this._len = len;
        this._offset = start + len;
        return e.oid;
      }
    }
    st.read_misses++;
    const oid = originalReadOID.call(this, tag);
    if (oid !== null && this._offset === start + len) {
      if (readCount >= maxEntries) { reads = new Map(); readCount = 0; }
      reads.set(h, { bytes: buf.toString('latin1', start, start + len), oid, next: reads.get(h) ?? null });
      readCount++;
    }
    return oid;
  };

  W.writeOID = function writeOID(this: BerWriter, s: string, tag?: number): void {
    const t = typeof tag === 'number' ? tag : OID_TAG;
    const enc = typeof s === 'string' ? writes.get(s) : undefined;
    if (enc) {
      st.write_hits++;
      this.writeByte(t);
      this.writeLength(enc.length);
      this._ensure(enc.length);
      enc.copy(this._buf, this._offset);
      this._offset += enc.length;
      return;
    }
    st.write_misses++;
    const before = this._offset;
    originalWriteOID.call(this, s, tag); // validates; throws on a bad OID (nothing kept)
    // content = what follows the tag and the length octets just written
    const lenByte = this._buf[before + 1]!;
    const contentAt = before + 2 + (lenByte & 0x80 ? lenByte & 0x7f : 0);
    if (writes.size >= maxEntries) writes = new Map();
    writes.set(s, Buffer.from(this._buf.subarray(contentAt, this._offset)));
  };

  const cache: OidCache = {
    originalReadOID,
    originalWriteOID,
    stats: () => ({ ...st, read_entries: readCount, write_entries: writes.size }),
    uninstall() {
      R.readOID = originalReadOID;
      W.writeOID = originalWriteOID;
      installed.delete(ber);
    },
  };
  installed.set(ber, cache);
  return cache;
}
