import { describe, expect, it } from 'vitest';
import { barChart, downsample, lineChart, niceMax, pathData } from './charts.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

describe('downsample', () => {
  const cases = [
    { name: 'mean per bucket', points: [{ t: T0, v: 1 }, { t: T0 + 10, v: 3 }, { t: T0 + H, v: 10 }], buckets: 2, to: T0 + 2 * H, want: [2, 10] },
    { name: 'empty bucket is null (a gap, not zero)', points: [{ t: T0, v: 5 }], buckets: 2, to: T0 + 2 * H, want: [5, null] },
    { name: 'null and NaN values ignored', points: [{ t: T0, v: null }, { t: T0 + 1, v: Number.NaN }, { t: T0 + 2, v: 4 }], buckets: 1, to: T0 + H, want: [4] },
    { name: 'points outside the range dropped', points: [{ t: T0 - 1, v: 99 }, { t: T0 + H, v: 99 }, { t: T0 + 5, v: 1 }], buckets: 1, to: T0 + H, want: [1] },
    { name: 'empty range gives nothing', points: [{ t: T0, v: 1 }], buckets: 3, to: T0, want: [] },
  ];
  it.each(cases)('$name', ({ points, buckets, to, want }) => {
    expect(downsample(points, T0, to, buckets).map((p) => p.v)).toEqual(want);
  });
});

describe('niceMax', () => {
  const cases = [
    { name: 'zero → 1', max: 0, want: 1 },
    { name: 'exact power', max: 100, want: 100 },
    { name: 'rounds up to 2x', max: 13, want: 20 },
    { name: 'rounds up to 2.5x', max: 2.2, want: 2.5 },
    { name: 'rounds up to 5x', max: 420, want: 500 },
    { name: 'rounds up to next power', max: 0.6, want: 1 },
  ];
  it.each(cases)('$name', ({ max, want }) => expect(niceMax(max)).toBe(want));
});

describe('pathData', () => {
  const x = (t: number) => t;
  const y = (v: number) => 100 - v;
  const cases = [
    { name: 'continuous line', points: [{ t: 0, v: 0 }, { t: 10, v: 50 }], want: 'M0 100L10 50' },
    { name: 'gap starts a new segment; a lone point gets a visible tick', points: [{ t: 0, v: 0 }, { t: 5, v: null }, { t: 10, v: 50 }, { t: 20, v: 100 }], want: 'M0 100h1M10 50L20 0' },
    { name: 'a single point at the end', points: [{ t: 0, v: 0 }, { t: 5, v: 0 }, { t: 7, v: null }, { t: 10, v: 50 }], want: 'M0 100L5 100M10 50h1' },
    { name: 'all null → empty', points: [{ t: 0, v: null }], want: '' },
  ];
  it.each(cases)('$name', ({ points, want }) => expect(pathData(points, x, y)).toBe(want));
});

describe('lineChart', () => {
  it('draws one path per series, escapes the title, labels hours for 24 h', () => {
    const pts = Array.from({ length: 2880 }, (_, i) => ({ t: T0 + i * 30_000, v: 20 + (i % 10) }));
    const svg = lineChart({ title: 'Latency <ms> & "loss"', from: T0, to: T0 + 24 * H, series: [{ label: 'rtt', color: '#1565c0', points: pts }, { label: 'loss', color: '#c62828', points: [] }], timeZone: 'Asia/Ho_Chi_Minh' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<title>Latency &lt;ms&gt; &amp; &quot;loss&quot;</title>');
    expect(svg.match(/<path /g)).toHaveLength(1);
    expect(svg).toContain('>07:00<'); // T0 is 00:00 UTC = 07:00 in Vietnam
    expect(svg).not.toContain('<script');
    expect(svg.length).toBeLessThan(8000); // 2,880 points averaged into 200 buckets
  });
  it('labels days for 7 days and shows the empty text without data', () => {
    const svg = lineChart({ title: 't', from: T0, to: T0 + 7 * 24 * H, series: [{ label: 'a', color: '#000', points: [] }], emptyText: 'No data <here>' });
    expect(svg).toContain('>01/11<');
    expect(svg).toContain('No data &lt;here&gt;');
    expect(svg).not.toContain('<path');
  });
  it('clamps values above a fixed yMax into the plot', () => {
    const svg = lineChart({ title: 't', from: T0, to: T0 + H, yMax: 100, buckets: 1, height: 128, series: [{ label: 'a', color: '#000', points: [{ t: T0, v: 250 }] }] });
    // top margin is 8: a clamped value sits on the top line
    expect(svg).toMatch(/d="M[0-9.]+ 8h1"/);
  });
});

describe('barChart', () => {
  it('colours bars by target, escapes labels, marks no data', () => {
    const svg = barChart({ title: 'Coverage', target: 95, bars: [{ label: 'Xã <A>', value: 99.5 }, { label: 'B', value: 50 }, { label: 'C', value: null }], noDataText: 'no data' });
    expect(svg).toContain('Xã &lt;A&gt;');
    expect(svg.match(/fill="#2e7d32"/g)).toHaveLength(1);
    expect(svg.match(/fill="#c62828"/g)).toHaveLength(1);
    expect(svg).toContain('>no data<');
    expect(svg).toContain('99.5%');
    expect(svg).toContain('stroke-dasharray');
  });
});

describe('lineChart below zero (dBm) with a threshold mark', () => {
  it('maps yMin..yMax onto the plot, clamps outside values to the edges, labels the axis and draws the mark', () => {
    const svg = lineChart({
      title: 'RSRP', from: T0, to: T0 + 2 * H, yMin: -140, yMax: -40, buckets: 2, width: 144, height: 128,
      marks: [{ v: -110, label: 'weak below -110', color: '#c62828' }],
      series: [{ label: 'RSRP', color: '#1565c0', points: [{ t: T0, v: -90 }, { t: T0 + H, v: -200 }] }],
    });
    // plot 100 px tall from y=8: -90 is half way (58), -200 is clamped to the bottom (108)
    expect(svg).toContain('<path d="M61 58L111 108"');
    expect(svg).toMatch(/>-140<\/text>/);
    expect(svg).toMatch(/>-90<\/text>/);
    expect(svg).toMatch(/>-40<\/text>/);
    // the mark at -110: 30 % up from the bottom
    expect(svg).toContain('<line x1="36" y1="78" x2="136" y2="78" stroke="#c62828" stroke-dasharray="4 3"');
    expect(svg).toContain('<text x="134" y="89" font-size="10" text-anchor="end" fill="#c62828">weak below -110</text>'); // under the line
  });
});
