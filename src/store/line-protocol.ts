/**
 * Pure: points of the declared schema → InfluxDB line protocol, the text node-influx's
 * `writePoints` sends for them, byte for byte (same escaping: node-influx's own `escape`
 * helpers; same coercion: fields in name order, integers `<n>i`, floats `String(n)`, strings
 * quoted, booleans `T`/`F`; tags in the object's order), checked against node-influx by the test
 * beside this file.
 *
 * Why not `writePoints`: it escapes every tag of every point again; here a tags object's text is
 * made once and a batch is written straight into bytes (docs/performance.md, "SNMP and store").
 * Points are validated by `assertDeclared` before they get here (the writer does): this trusts
 * that the fields are declared and of the declared type.
 */
import { escape, FieldType } from 'influx';
import { Interner } from '../core/intern.js';
import { MEASUREMENTS, type MeasurementName } from './schema.js';
import type { Point } from './points.js';

/** Per measurement: the declared fields in node-influx's order (sorted by name), with their types. */
const FIELD_ORDER: Record<string, ReadonlyArray<readonly [string, FieldType, string]>> = Object.fromEntries(
  (Object.keys(MEASUREMENTS) as MeasurementName[]).map((m) => {
    const fields = MEASUREMENTS[m].fields as Record<string, FieldType>;
    return [m, Object.keys(fields).sort().map((f) => [f, fields[f]!, escape.tag(f)] as const)];
  }),
);

/**
 * A tags object's text: one flat string (`,k=v,…`), or for a variant (points.ts: a site's tags plus
 * an interface's or a service-hour value) two shared parts, the site's text and the fleet-wide suffix.
 */
const tagText = new WeakMap<object, string | readonly [string, string]>();
/** The texts of tag suffixes (`,ifname=ether1,wan=true`, `,svc=in …`): one per value in the whole fleet. */
const suffixes = new Interner(4096);

function pairsText(tags: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const k in tags) parts.push(',', escape.tag(k), '=', escape.tag(tags[k]!));
  return parts.join('');
}

/**
 * `,k=v,k2=v2` for a tags object, escaped; made once per object and kept for its lifetime. Joined
 * from its parts, so it is kept as one flat string: built with `+=` it was a rope of ~30 pieces
 * (every site keeps several of these).
 */
function tagsOf(tags: Readonly<Record<string, string>>): string | readonly [string, string] {
  let t = tagText.get(tags);
  if (t === undefined) {
    t = pairsText(tags);
    tagText.set(tags, t);
  }
  return t;
}

/**
 * `tags` is `base`'s tags followed by `extra`'s, in that order (points.ts's interface and
 * service-hour variants of a site's tags): its text is kept as two shared parts, `base`'s (one per
 * site) and `extra`'s (one per distinct value in the fleet), not as a string of its own.
 */
export function presetTagText(tags: Readonly<Record<string, string>>, base: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>>): void {
  const b = tagsOf(base);
  tagText.set(tags, [typeof b === 'string' ? b : b[0] + b[1], suffixes.intern(pairsText(extra))]);
}

const MEASUREMENT_TEXT: Record<string, string> = Object.fromEntries(Object.keys(MEASUREMENTS).map((m) => [m, escape.measurement(m)]));

/**
 * The bytes of a batch, written straight into one buffer that grows as needed and is reused from
 * batch to batch: no string per line, per field or per number where digits can be written directly
 * (integers, integral floats, timestamps); only a fractional float is formatted by `String(v)`,
 * which is what makes the digits the same as node-influx's.
 */
class BodyWriter {
  private buf = Buffer.allocUnsafeSlow(256 * 1024);
  pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Any text (tags, string fields: may be UTF-8). */
  text(s: string): void {
    this.room(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Text known to be ASCII (escaped field names, number text). */
  ascii(s: string): void {
    this.room(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** A safe integer's digits (what String(n) gives for it; -0 is "0"). */
  int(n: number): void {
    this.room(17);
    const b = this.buf;
    if (n < 0) { b[this.pos++] = 45; n = -n; }
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do { b[--p] = 48 + (n % 10); n = Math.floor(n / 10); } while (n > 0);
  }

  number(v: number): void {
    if (Number.isSafeInteger(v)) this.int(v);
    else this.ascii(String(v));
  }

  /** The batch's bytes (a copy: the buffer is reused for the next batch); resets for the next one. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    if (this.buf.length > 16 * 1024 * 1024) this.buf = Buffer.allocUnsafeSlow(256 * 1024); // a replay burst: give it back
    return out;
  }
}

const body = new BodyWriter();

function writePoint(w: BodyWriter, p: Point): void {
  const order = FIELD_ORDER[p.measurement];
  if (!order) throw new Error(`line protocol: undeclared measurement ${JSON.stringify(p.measurement)}`);
  w.text(MEASUREMENT_TEXT[p.measurement]!);
  const t = tagsOf(p.tags);
  if (typeof t === 'string') w.text(t);
  else { w.text(t[0]); w.text(t[1]); }
  let sep = 32; // ' ' before the first field, ',' between fields
  const fields = p.fields;
  for (let i = 0; i < order.length; i++) {
    const f = order[i]!;
    const v = fields[f[0]];
    if (v === undefined || v === null) continue;
    w.byte(sep);
    w.ascii(f[2]);
    w.byte(61); // =
    switch (f[1]) {
      case FieldType.INTEGER:
        w.number(Math.floor(v as number));
        w.byte(105); // i
        break;
      case FieldType.STRING:
        w.text(escape.quoted(String(v)));
        break;
      case FieldType.BOOLEAN:
        w.byte(v ? 84 : 70); // T / F
        break;
      default:
        if (typeof v === 'number') w.number(v);
        else w.text(String(v));
    }
    sep = 44;
  }
  w.byte(32);
  w.number(p.timestamp);
}

/** A batch body: one line per point, newline-separated, as bytes (what the writer POSTs). */
export function toBody(points: readonly Point[]): Buffer {
  try {
    for (let i = 0; i < points.length; i++) {
      if (i > 0) body.byte(10);
      writePoint(body, points[i]!);
    }
    return body.take();
  } catch (err) {
    body.pos = 0;
    throw err;
  }
}

/** One point's line (timestamp in the precision the caller sends: the writer uses ms). */
export function toLine(p: Point): string {
  return toBody([p]).toString('utf8');
}

/** A batch body as text (the bytes of `toBody`). */
export function toLines(points: readonly Point[]): string {
  return toBody(points).toString('utf8');
}
