/**
 * The province map as inline SVG (pure): communes placed by the mean lat/lon of their sites,
 * coloured by coverage class, each an <a> to its commune page. No tiles, no external request:
 * an equirectangular projection fitted to the box (at these scales a province is flat enough).
 */
import { escapeHtml as esc } from '../web/html.js';

export const MAP_CLASSES = ['live', 'at_risk', 'dropped_off', 'unknown'] as const;
export type MapClass = (typeof MAP_CLASSES)[number];

/** Colours also readable in grey print (live darkest green, dropped off red). */
export const MAP_COLOURS: Record<MapClass, string> = { live: '#2e7d32', at_risk: '#e0a000', dropped_off: '#c62828', unknown: '#9e9e9e' };

export interface LatLon {
  lat: number;
  lon: number;
}

export interface MapPoint extends LatLon {
  label: string;
  href: string;
  cls: MapClass;
  /** Shown in the tooltip after the label (e.g. "3/4 live"). */
  note?: string;
}

export interface Box {
  width: number;
  height: number;
  pad: number;
}

/**
 * Fit lat/lon points into the box: x grows east, y grows south; longitude is scaled by
 * cos(mean latitude) so distances look right; aspect kept; a single point lands in the middle.
 */
export function projector(points: readonly LatLon[], box: Box): (p: LatLon) => { x: number; y: number } {
  if (!points.length) return () => ({ x: box.width / 2, y: box.height / 2 });
  const lats = points.map((p) => p.lat), lons = points.map((p) => p.lon);
  const lat0 = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const minX = Math.min(...lons) * k, maxX = Math.max(...lons) * k;
  const minY = -Math.max(...lats), maxY = -Math.min(...lats);
  const spanX = maxX - minX, spanY = maxY - minY;
  const innerW = box.width - 2 * box.pad, innerH = box.height - 2 * box.pad;
  const scale = spanX === 0 && spanY === 0 ? 0 : Math.min(spanX ? innerW / spanX : Infinity, spanY ? innerH / spanY : Infinity);
  // centre the drawing on the axis that does not fill the box
  const offX = box.pad + (innerW - spanX * scale) / 2;
  const offY = box.pad + (innerH - spanY * scale) / 2;
  return (p) => ({ x: offX + (p.lon * k - minX) * scale, y: offY + (-p.lat - minY) * scale });
}

/**
 * A commune's class from its points' classes: live when at least one point is live (the coverage
 * rule: a commune is covered by one working point), else the most hopeful of the others.
 */
export function communeClass(classes: readonly MapClass[]): MapClass {
  for (const c of ['live', 'at_risk', 'dropped_off'] as const) if (classes.includes(c)) return c;
  return 'unknown';
}

/** Mean position of the sites that have one; null when none has. */
export function centroid(points: ReadonlyArray<{ lat?: number; lon?: number }>): LatLon | null {
  const known = points.filter((p): p is LatLon => typeof p.lat === 'number' && typeof p.lon === 'number');
  if (!known.length) return null;
  return { lat: known.reduce((t, p) => t + p.lat, 0) / known.length, lon: known.reduce((t, p) => t + p.lon, 0) / known.length };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** The SVG: one linked dot + label per point, and a legend with the given (localized) words. */
export function mapSvg(points: readonly MapPoint[], opts: { title: string; legend: Record<MapClass, string>; box?: Box }): string {
  const box = opts.box ?? { width: 360, height: 300, pad: 28 };
  const proj = projector(points, box);
  const legendH = 22;
  const dots = points.map((p) => {
    const { x, y } = proj(p);
    const anchor = x > box.width * 0.7 ? 'end' : 'start';
    const dx = anchor === 'end' ? -9 : 9;
    const tip = p.note ? `${p.label}: ${p.note}` : p.label;
    return `<a href="${esc(p.href)}"><title>${esc(tip)}</title><circle cx="${r1(x)}" cy="${r1(y)}" r="7" fill="${MAP_COLOURS[p.cls]}" stroke="#fff" stroke-width="1.5"/>` +
      `<text x="${r1(x + dx)}" y="${r1(y + 4)}" text-anchor="${anchor}" font-size="11">${esc(p.label)}</text></a>`;
  }).join('');
  const legend = MAP_CLASSES.map((c, i) => {
    const x = 6 + i * (box.width / 4);
    return `<circle cx="${r1(x + 5)}" cy="${box.height + 11}" r="5" fill="${MAP_COLOURS[c]}"/><text x="${r1(x + 13)}" y="${box.height + 15}" font-size="10">${esc(opts.legend[c])}</text>`;
  }).join('');
  const h = box.height + legendH;
  return `<svg class="map" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(opts.title)}" viewBox="0 0 ${box.width} ${h}" width="100%" style="max-width:${box.width * 1.5}px" font-family="sans-serif">` +
    `<rect width="${box.width}" height="${box.height}" fill="#eef3f6" rx="4"/>${dots}${legend}</svg>`;
}

/**
 * The map of a coverage report: one dot per commune at the mean position of its sites, coloured
 * by the commune's class (from its sites' classes), linked by `href(province, commune)`.
 * Null when no site has coordinates.
 */
export function coverageMap(
  report: { sites: ReadonlyArray<{ site: string; province: string; commune: string; class: MapClass }> },
  sites: ReadonlyArray<{ id: string; lat?: number; lon?: number }>,
  opts: { title: string; legend: Record<MapClass, string>; href: (province: string, commune: string) => string },
): { svg: string; unplaced: string[] } | null {
  const pos = new Map(sites.map((s) => [s.id, s]));
  const groups = new Map<string, { province: string; commune: string; classes: MapClass[]; at: Array<{ lat?: number; lon?: number }> }>();
  for (const s of report.sites) {
    const k = `${s.province}\u0000${s.commune}`;
    const g = groups.get(k) ?? { province: s.province, commune: s.commune, classes: [], at: [] };
    g.classes.push(s.class);
    g.at.push(pos.get(s.site) ?? {});
    groups.set(k, g);
  }
  const points: MapPoint[] = [];
  const unplaced: string[] = [];
  for (const g of groups.values()) {
    const c = centroid(g.at);
    if (c) points.push({ ...c, label: g.commune, href: opts.href(g.province, g.commune), cls: communeClass(g.classes) });
    else unplaced.push(g.commune);
  }
  if (!points.length) return null;
  return { svg: mapSvg(points, { title: opts.title, legend: opts.legend }), unplaced };
}
