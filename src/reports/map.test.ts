import { describe, expect, it } from 'vitest';
import { centroid, communeClass, coverageMap, mapSvg, projector, type MapClass } from './map.js';

const box = { width: 300, height: 200, pad: 20 };
const legend: Record<MapClass, string> = { live: 'live', at_risk: 'at risk', dropped_off: 'dropped off', unknown: 'unknown' };

describe('projector', () => {
  const pts = [{ lat: 22.0, lon: 103.0 }, { lat: 23.0, lon: 104.0 }];
  const proj = projector(pts, box);
  const cases: Array<[string, { lat: number; lon: number }, (p: { x: number; y: number }) => void]> = [
    ['north is up: the northern point has the smaller y', { lat: 23, lon: 104 }, (p) => expect(p.y).toBeCloseTo(box.pad, 5)],
    ['south-west corner at the bottom of the box', { lat: 22, lon: 103 }, (p) => expect(p.y).toBeCloseTo(box.height - box.pad, 5)],
    ['east is right', { lat: 22.5, lon: 104 }, (p) => expect(p.x).toBeGreaterThan(proj({ lat: 22.5, lon: 103 }).x)],
    ['inside the padded box', { lat: 22.5, lon: 103.5 }, (p) => { expect(p.x).toBeGreaterThanOrEqual(box.pad); expect(p.x).toBeLessThanOrEqual(box.width - box.pad); }],
  ];
  for (const [name, at, check] of cases) it(name, () => check(proj(at)));
  it('longitude shrinks by cos(latitude): one degree east is shorter on screen than one degree north', () => {
    const a = proj({ lat: 22.5, lon: 103.5 }), east = proj({ lat: 22.5, lon: 103.6 }), north = proj({ lat: 22.6, lon: 103.5 });
    expect(east.x - a.x).toBeCloseTo((a.y - north.y) * Math.cos((22.5 * Math.PI) / 180), 3);
  });
  it('a single point (or none) lands in the middle', () => {
    expect(projector([{ lat: 10, lon: 100 }], box)({ lat: 10, lon: 100 })).toEqual({ x: 150, y: 100 });
    expect(projector([], box)({ lat: 0, lon: 0 })).toEqual({ x: 150, y: 100 });
  });
});

describe('communeClass', () => {
  const cases: Array<[string, MapClass[], MapClass]> = [
    ['one live point covers the commune', ['dropped_off', 'live', 'at_risk'], 'live'],
    ['at risk beats dropped off', ['dropped_off', 'at_risk'], 'at_risk'],
    ['all dropped off', ['dropped_off', 'dropped_off'], 'dropped_off'],
    ['dropped off beats unknown', ['unknown', 'dropped_off'], 'dropped_off'],
    ['no data at all', ['unknown'], 'unknown'],
    ['no points', [], 'unknown'],
  ];
  for (const [name, input, want] of cases) it(name, () => expect(communeClass(input)).toBe(want));
});

describe('centroid and the SVG', () => {
  it('centroid ignores sites without coordinates; null when none has', () => {
    expect(centroid([{ lat: 1, lon: 2 }, {}, { lat: 3, lon: 4 }])).toEqual({ lat: 2, lon: 3 });
    expect(centroid([{}, { lat: 1 }])).toBeNull();
  });
  it('each point is a link with its colour, label escaped; the legend in the given words', () => {
    const svg = mapSvg([{ lat: 22, lon: 103, label: 'Xã <A>', href: '/public/p/a?lang=vi&x=1', cls: 'dropped_off' }], { title: 'Bản đồ', legend: { ...legend, live: 'hoạt động tốt' } });
    expect(svg).toContain('<a href="/public/p/a?lang=vi&amp;x=1">');
    expect(svg).toContain('fill="#c62828"');
    expect(svg).toContain('Xã &lt;A&gt;');
    expect(svg).toContain('hoạt động tốt');
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
  it('coverageMap: one dot per commune coloured by its sites, unplaced communes listed', () => {
    const report = { sites: [
      { site: 'a1', province: 'P', commune: 'A', class: 'dropped_off' as const },
      { site: 'a2', province: 'P', commune: 'A', class: 'live' as const },
      { site: 'b1', province: 'P', commune: 'B', class: 'at_risk' as const },
      { site: 'c1', province: 'P', commune: 'C', class: 'live' as const },
    ] };
    const m = coverageMap(report, [{ id: 'a1', lat: 22, lon: 103 }, { id: 'a2', lat: 22.2, lon: 103.2 }, { id: 'b1', lat: 22.5, lon: 104 }, { id: 'c1' }], { title: 't', legend, href: (p, c) => `/x/${p}/${c}` })!;
    expect(m.unplaced).toEqual(['C']);
    expect([...m.svg.matchAll(/<a href="([^"]+)"/g)].map((x) => x[1])).toEqual(['/x/P/A', '/x/P/B']);
    expect(/\/x\/P\/A"><title>A<\/title><circle [^>]*fill="([^"]+)"/.exec(m.svg)?.[1]).toBe('#2e7d32');
    expect(/\/x\/P\/B"><title>B<\/title><circle [^>]*fill="([^"]+)"/.exec(m.svg)?.[1]).toBe('#e0a000');
    expect(coverageMap(report, [], { title: 't', legend, href: () => '' })).toBeNull();
  });
});
