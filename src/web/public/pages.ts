/**
 * The public pages (pure): no login, no script, no external asset, one small inline stylesheet.
 * Only what a PublicPoint / AheadItem holds can appear: names, states, times, availability.
 */
import type { Lang } from '../../config/schema.js';
import { html, raw, type Safe } from '../html.js';
import { stateLabel } from '../i18n.js';
import { STATE_COLOURS } from '../layout.js';
import { STATE_CODE } from '../../store/schema.js';
import { mapSvg, MAP_CLASSES, type MapClass, type MapPoint } from '../../reports/map.js';
import type { AheadItem, PublicPoint } from './model.js';
import { ago, classLabel, pt } from './i18n.js';

export interface PublicCtx {
  lang: Lang;
  timeZone: string;
  now: number;
  cacheS: number;
  /** This page's path without the query (for the language link). */
  path: string;
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#212121;background:#fafafa}
header{background:#263238;color:#fff;padding:.5rem .75rem;display:flex;gap:.75rem;align-items:center}header a{color:#fff}header b{margin-right:auto}
main{padding:.75rem;max-width:960px;margin:0 auto}h1{font-size:1.2rem;margin:.2rem 0 .6rem}h2{font-size:1.05rem;margin:1rem 0 .4rem}
.b{display:inline-block;min-width:6.5em;text-align:center;color:#fff;border-radius:3px;padding:0 .3rem;font-size:.85rem;font-weight:600}
ul{list-style:none;margin:0;padding:0}li.p{padding:.4rem 0;border-bottom:1px solid #e0e0e0}.n{font-weight:600}.m{color:#616161;font-size:.85rem}
.g{background:#fff;border:1px solid #e0e0e0;border-radius:4px;padding:.25rem .6rem;margin-bottom:.6rem}svg.bar{display:block;margin-top:.2rem}
.map{display:block;background:#fff}table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #e0e0e0;padding:.3rem;text-align:left;vertical-align:top}`;

function fmtTime(t: number, tz: string, withDate = true): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return withDate ? `${p.day}/${p.month} ${p.hour}:${p.minute}` : `${p.hour}:${p.minute}`;
}

const DAY_COLOURS = { ok: '#2e7d32', part: '#e0a000', bad: '#c62828', none: '#bdbdbd' } as const;

/** A day's colour: worked (≥ 99 %), part of the day, down (< 50 %), no data. */
export function dayColour(v: number | null): keyof typeof DAY_COLOURS {
  if (v === null) return 'none';
  if (v >= 0.99) return 'ok';
  return v >= 0.5 ? 'part' : 'bad';
}

/** One path per colour (not a rect per day): ~10 bytes a day, so 40 points stay well under 50 KB. */
export function dayBar(days: ReadonlyArray<number | null>, label: string): string {
  const w = 6, gap = 1, h = 14;
  const paths = new Map<string, string>();
  days.forEach((v, i) => {
    const c = dayColour(v);
    paths.set(c, `${paths.get(c) ?? ''}M${i * (w + gap)} 0h${w}v${h}h-${w}z`);
  });
  const body = [...paths].map(([c, d]) => `<path fill="${DAY_COLOURS[c as keyof typeof DAY_COLOURS]}" d="${d}"/>`).join('');
  const width = days.length * (w + gap) - gap;
  return `<svg class="bar" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${label.replace(/[&<>"']/g, '')}" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}">${body}</svg>`;
}

function badge(lang: Lang, p: PublicPoint): Safe {
  return html`<span class="b" style="background:${STATE_COLOURS[p.state]}">${stateLabel(lang, p.state)}</span>`;
}

function pointItem(ctx: PublicCtx, p: PublicPoint, days: number): Safe {
  const L = ctx.lang;
  const pct = p.avail_pct === null ? pt(L, 'no_data') : pt(L, 'avail', { pct: p.avail_pct.toFixed(1) });
  const label = `${pt(L, 'last_30', { n: days })}: ${pct}`;
  return html`<li class="p">${badge(L, p)} <span class="n">${p.name}</span>${p.village ? html` <span class="m">${p.village}</span>` : ''}
<div class="m">${pt(L, 'since', { time: fmtTime(p.since, ctx.timeZone), ago: ago(L, ctx.now - p.since) })} · ${label}</div>${raw(dayBar(p.days, label))}</li>`;
}

function aheadBlock(ctx: PublicCtx, items: readonly AheadItem[], aheadDays: number): Safe {
  const L = ctx.lang;
  const rows = items.map((a) => html`<tr><td>${a.power ? pt(L, 'power_cut') : pt(L, 'maintenance')}</td><td>${fmtTime(a.start, ctx.timeZone)} → ${fmtTime(a.end, ctx.timeZone)}</td><td>${a.where.join(', ')}${a.reason ? html`<br><span class="m">${a.reason}</span>` : ''}</td></tr>`);
  return html`<h2>${pt(L, 'ahead', { n: aheadDays })}</h2>${items.length ? html`<table><tbody>${rows}</tbody></table>` : html`<p class="m">${pt(L, 'nothing_ahead')}</p>`}`;
}

function shell(ctx: PublicCtx, title: string, body: Safe): string {
  const other: Lang = ctx.lang === 'vi' ? 'en' : 'vi';
  return html`<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${raw(CSS)}</style></head>
<body><header><b>pointwatch</b><a href="${ctx.path}?lang=${other}" hreflang="${other}" lang="${other}">${pt(ctx.lang, 'other_lang')}</a></header>
<main>${body}<p class="m">${pt(ctx.lang, 'legend_days')} ${pt(ctx.lang, 'avail_note')}</p>
<p class="m">${pt(ctx.lang, 'updated', { time: fmtTime(ctx.now, ctx.timeZone), s: ctx.cacheS })}</p></main></body></html>`.value;
}

const worstFirst = (a: PublicPoint, b: PublicPoint) => STATE_CODE[b.state] - STATE_CODE[a.state] || a.name.localeCompare(b.name, 'vi');

export interface CommuneView {
  province: string;
  commune: string;
  points: PublicPoint[];
  ahead: AheadItem[];
  days: number;
  aheadDays: number;
  provinceHref: string | null;
}

export function publicCommunePage(ctx: PublicCtx, v: CommuneView): string {
  const L = ctx.lang;
  const up = v.points.filter((p) => p.state === 'UP' || p.state === 'DEGRADED').length;
  const title = pt(L, 'public_title', { area: `${v.commune}, ${v.province}` });
  const body = html`<h1>${v.commune} <span class="m">${v.provinceHref ? html`<a href="${v.provinceHref}?lang=${L}">${v.province}</a>` : v.province}</span></h1>
<p>${pt(L, 'now_working', { up, n: v.points.length })}</p>
<ul>${[...v.points].sort(worstFirst).map((p) => pointItem(ctx, p, v.days))}</ul>
${aheadBlock(ctx, v.ahead, v.aheadDays)}`;
  return shell(ctx, title, body);
}

export interface ProvinceView {
  province: string;
  communes: Array<{ name: string; href: string; points: PublicPoint[]; cls: MapClass }>;
  mapPoints: MapPoint[];
  unplaced: string[];
  ahead: AheadItem[];
  days: number;
  aheadDays: number;
  /** List each point (false: communes only, to keep the page small). */
  detail: boolean;
}

export function provinceMap(lang: Lang, points: readonly MapPoint[], unplaced: readonly string[]): Safe {
  const legend = Object.fromEntries(MAP_CLASSES.map((c) => [c, classLabel(lang, c)])) as Record<MapClass, string>;
  return html`<h2>${pt(lang, 'map')}</h2>${raw(mapSvg(points, { title: pt(lang, 'map'), legend }))}${unplaced.length ? html`<p class="m">${pt(lang, 'not_on_map', { names: unplaced.join(', ') })}</p>` : ''}`;
}

export function publicProvincePage(ctx: PublicCtx, v: ProvinceView): string {
  const L = ctx.lang;
  const all = v.communes.flatMap((c) => c.points);
  const up = all.filter((p) => p.state === 'UP' || p.state === 'DEGRADED').length;
  const groups = v.communes.map((c) => {
    const cu = c.points.filter((p) => p.state === 'UP' || p.state === 'DEGRADED').length;
    return html`<section class="g"><h2><a href="${c.href}?lang=${L}">${c.name}</a> <span class="m">${pt(L, 'now_working', { up: cu, n: c.points.length })} · ${classLabel(L, c.cls)}</span></h2>
${v.detail ? html`<ul>${[...c.points].sort(worstFirst).map((p) => pointItem(ctx, p, v.days))}</ul>` : ''}</section>`;
  });
  const body = html`<h1>${v.province}</h1><p>${pt(L, 'now_working', { up, n: all.length })}</p>
${provinceMap(L, v.mapPoints, v.unplaced)}
${aheadBlock(ctx, v.ahead, v.aheadDays)}
<h2>${pt(L, 'communes')}</h2>${v.detail ? '' : html`<p class="m">${pt(L, 'see_communes')}</p>`}${groups}`;
  return shell(ctx, pt(L, 'public_title', { area: v.province }), body);
}

export function publicIndexPage(ctx: PublicCtx, areas: Array<{ name: string; href: string; level: 'province' | 'commune' }>): string {
  const L = ctx.lang;
  const body = html`<h1>${pt(L, 'index_title')}</h1>${areas.length
    ? html`<ul>${areas.map((a) => html`<li class="p"><a class="n" href="${a.href}?lang=${L}">${a.name}</a> <span class="m">${pt(L, a.level)}</span></li>`)}</ul>`
    : html`<p>${pt(L, 'no_public')}</p>`}`;
  return shell(ctx, pt(L, 'index_title'), body);
}
