/**
 * Pure: points of the declared schema → InfluxDB line protocol, the text node-influx's
 * `writePoints` sends for them, byte for byte (same escaping: node-influx's own `escape`
 * helpers; same coercion: fields in name order, integers `<n>i`, floats `String(n)`, strings
 * quoted, booleans `T`/`F`; tags in the object's order), checked against node-influx by the test
 * beside this file.
 *
 * Why not `writePoints`: it re-derives every point's tag text (escape per tag, per point) and
 * allocates pairs and arrays per field; at 5,000 sites a minute that was ~12 % of the poller's
 * CPU. Here the tag text is made once per tags object (points.ts shares one frozen tags object
 * per site, interface and service-hour value) and the fields are appended straight to the line.
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

const tagText = new WeakMap<object, string>();
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
function tagsOf(tags: Readonly<Record<string, string>>): string {
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
  tagText.set(tags, tagsOf(base) + suffixes.intern(pairsText(extra)));
}

function fieldValue(v: number | string | boolean, type: FieldType): string {
  switch (type) {
    case FieldType.INTEGER:
      return String(Math.floor(v as number)) + 'i';
    case FieldType.STRING:
      return escape.quoted(String(v));
    case FieldType.BOOLEAN:
      return v ? 'T' : 'F';
    default:
      return String(v);
  }
}

/** One point's line (timestamp in the precision the caller sends: the writer uses ms). */
export function toLine(p: Point): string {
  const order = FIELD_ORDER[p.measurement];
  if (!order) throw new Error(`line protocol: undeclared measurement ${JSON.stringify(p.measurement)}`);
  let line = escape.measurement(p.measurement) + tagsOf(p.tags);
  let sep = ' ';
  const fields = p.fields;
  for (let i = 0; i < order.length; i++) {
    const [name, type, escaped] = order[i]!;
    const v = fields[name];
    if (v === undefined || v === null) continue;
    line += sep + escaped + '=' + fieldValue(v, type);
    sep = ',';
  }
  return line + ' ' + p.timestamp;
}

/** A batch body: one line per point, newline-separated. */
export function toLines(points: readonly Point[]): string {
  let body = '';
  for (let i = 0; i < points.length; i++) body += (i === 0 ? '' : '\n') + toLine(points[i]!);
  return body;
}
