/**
 * Inline SVG charts, pure: data in, markup out (every label escaped here). No script, no fonts:
 * the page stays small and works on a phone over 3G. Long series are averaged into at most
 * one point per `buckets` so a 7-day chart of 30 s checks stays a few KB.
 */
import { escapeHtml } from './html.js';

export interface Point {
  t: number;
  v: number | null;
}

export interface LineSeries {
  label: string;
  color: string;
  points: Point[];
}

export interface LineChartOptions {
  title: string;
  from: number;
  to: number;
  series: LineSeries[];
  width?: number;
  height?: number;
  /** IANA zone for the time axis labels. */
  timeZone?: string;
  /** Fixed top of the y axis (e.g. 100 for %); otherwise a rounded max of the data. */
  yMax?: number;
  /** Bottom of the y axis (default 0); with a negative one (dBm), give yMax too. Values outside are drawn at the edge. */
  yMin?: number;
  /** Dashed horizontal lines with a label (a threshold). */
  marks?: Array<{ v: number; label: string; color: string }>;
  buckets?: number;
  /** Text shown instead of lines when no series has a value. */
  emptyText?: string;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Mean of the values falling into each of `buckets` equal slices of [from, to); null where none. */
export function downsample(points: Point[], from: number, to: number, buckets: number): Point[] {
  if (to <= from || buckets < 1) return [];
  const width = (to - from) / buckets;
  const sum = new Array<number>(buckets).fill(0);
  const n = new Array<number>(buckets).fill(0);
  for (const p of points) {
    if (p.v === null || !Number.isFinite(p.v) || p.t < from || p.t >= to) continue;
    const i = Math.min(buckets - 1, Math.floor((p.t - from) / width));
    sum[i]! += p.v;
    n[i]! += 1;
  }
  return sum.map((s, i) => ({ t: from + (i + 0.5) * width, v: n[i] ? s / n[i]! : null }));
}

/** A "nice" axis maximum ≥ max: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function formatTick(t: number, spanMs: number, timeZone: string): string {
  const opts: Intl.DateTimeFormatOptions =
    spanMs > 2 * 86_400_000 ? { timeZone, day: '2-digit', month: '2-digit' } : { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  return new Intl.DateTimeFormat('en-GB', opts).format(new Date(t));
}

function formatNumber(v: number): string {
  if (Math.abs(v) >= 100) return String(Math.round(v));
  return String(Math.round(v * 10) / 10);
}

/**
 * Path data for one series, broken into segments at gaps (null values). A segment of one point
 * (a lone check between gaps) gets a 1-unit tick so it stays visible.
 */
export function pathData(points: Point[], x: (t: number) => number, y: (v: number) => number): string {
  let d = '';
  let run = 0;
  const endRun = () => {
    if (run === 1) d += 'h1';
    run = 0;
  };
  for (const p of points) {
    if (p.v === null) {
      endRun();
      continue;
    }
    d += `${run ? 'L' : 'M'}${r1(x(p.t))} ${r1(y(p.v))}`;
    run++;
  }
  endRun();
  return d;
}

export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 600;
  const H = o.height ?? 160;
  const tz = o.timeZone ?? 'UTC';
  const left = 36;
  const right = 8;
  const top = 8;
  const bottom = 20;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const buckets = o.buckets ?? 200;
  const series = o.series.map((s) => ({ ...s, points: downsample(s.points, o.from, o.to, buckets) }));
  const values = series.flatMap((s) => s.points.map((p) => p.v)).filter((v): v is number => v !== null);
  const yMin = o.yMin ?? 0;
  const yMax = o.yMax ?? niceMax(values.length ? Math.max(...values) : 1);
  const x = (t: number) => left + ((t - o.from) / (o.to - o.from)) * pw;
  const y = (v: number) => top + ph - ((Math.min(Math.max(v, yMin), yMax) - yMin) / (yMax - yMin)) * ph;

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(o.title)}" class="chart">`);
  parts.push(`<title>${escapeHtml(o.title)}</title>`);
  // Horizontal grid: 0, half, max.
  for (const f of [0, 0.5, 1]) {
    const yy = r1(top + ph - f * ph);
    parts.push(`<line x1="${left}" y1="${yy}" x2="${W - right}" y2="${yy}" stroke="#ddd" stroke-width="1"/>`);
    parts.push(`<text x="${left - 4}" y="${r1(yy + 4)}" font-size="10" text-anchor="end" fill="#555">${escapeHtml(formatNumber(yMin + f * (yMax - yMin)))}</text>`);
  }
  for (const m of o.marks ?? []) {
    const yy = r1(y(m.v));
    parts.push(`<line x1="${left}" y1="${yy}" x2="${W - right}" y2="${yy}" stroke="${escapeHtml(m.color)}" stroke-dasharray="4 3" stroke-width="1"/>`);
    // the label under the line (the side a limit's data seldom is), above it when the line is near the bottom
    const ty = yy + 12 <= top + ph ? yy + 11 : yy - 3;
    parts.push(`<text x="${W - right - 2}" y="${r1(ty)}" font-size="10" text-anchor="end" fill="${escapeHtml(m.color)}">${escapeHtml(m.label)}</text>`);
  }
  // Time ticks: 4 evenly spaced labels.
  const span = o.to - o.from;
  for (let i = 0; i <= 4; i++) {
    const t = o.from + (span * i) / 4;
    const xx = r1(x(t));
    const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle';
    parts.push(`<text x="${xx}" y="${H - 6}" font-size="10" text-anchor="${anchor}" fill="#555">${escapeHtml(formatTick(t, span, tz))}</text>`);
  }
  if (values.length === 0) {
    parts.push(`<text x="${r1(left + pw / 2)}" y="${r1(top + ph / 2)}" font-size="12" text-anchor="middle" fill="#777">${escapeHtml(o.emptyText ?? 'no data')}</text>`);
  } else {
    for (const s of series) {
      const d = pathData(s.points, x, y);
      if (d) parts.push(`<path d="${d}" fill="none" stroke="${escapeHtml(s.color)}" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"><title>${escapeHtml(s.label)}</title></path>`);
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface Bar {
  label: string;
  /** 0..100, or null for "no data". */
  value: number | null;
}

/** Horizontal percentage bars (coverage), with an optional target line. */
export function barChart(o: { title: string; bars: Bar[]; target?: number; width?: number; noDataText?: string }): string {
  const W = o.width ?? 600;
  const rowH = 18;
  const labelW = Math.min(220, Math.round(W * 0.38));
  const pw = W - labelW - 48;
  const H = o.bars.length * rowH + 8;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${escapeHtml(o.title)}" class="chart">`);
  parts.push(`<title>${escapeHtml(o.title)}</title>`);
  o.bars.forEach((b, i) => {
    const yy = 4 + i * rowH;
    const label = b.label.length > 34 ? `${b.label.slice(0, 33)}…` : b.label;
    parts.push(`<text x="${labelW - 4}" y="${yy + 12}" font-size="11" text-anchor="end" fill="#222">${escapeHtml(label)}</text>`);
    if (b.value === null || !Number.isFinite(b.value)) {
      parts.push(`<text x="${labelW + 2}" y="${yy + 12}" font-size="11" fill="#777">${escapeHtml(o.noDataText ?? 'no data')}</text>`);
      return;
    }
    const v = Math.min(Math.max(b.value, 0), 100);
    const ok = o.target === undefined || v >= o.target;
    parts.push(`<rect x="${labelW}" y="${yy + 2}" width="${r1((v / 100) * pw)}" height="${rowH - 6}" fill="${ok ? '#2e7d32' : '#c62828'}"/>`);
    parts.push(`<text x="${r1(labelW + (v / 100) * pw + 3)}" y="${yy + 12}" font-size="11" fill="#222">${escapeHtml(formatNumber(b.value))}%</text>`);
  });
  if (o.target !== undefined) {
    const tx = r1(labelW + (o.target / 100) * pw);
    parts.push(`<line x1="${tx}" y1="0" x2="${tx}" y2="${H}" stroke="#333" stroke-dasharray="3 3" stroke-width="1"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
