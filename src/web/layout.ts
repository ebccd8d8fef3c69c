/**
 * The page shell: mobile-first inline CSS (no fonts, scripts or external assets), the header
 * with navigation, language switch and sign-out form, and small formatting helpers.
 */
import { formatDuration } from '../core/glossary.js';
import { parseDetail, renderConditions } from '../alerting/condition.js';
import type { Lang } from '../config/schema.js';
import type { SiteStateName } from '../store/schema.js';
import type { Principal } from '../api/auth/scope.js';
import { html, raw, type Safe } from './html.js';
import { stateLabel, t } from './i18n.js';

export interface PageCtx {
  lang: Lang;
  user: Principal | null;
  csrf: string | null;
  timeZone: string;
  /** Path + query of this page (for the language switch to come back here). */
  path: string;
  now: number;
  /** What the province calls its optional grouping (settings.places.group_label), in this language. */
  groupLabel?: string;
}

export const STATE_COLOURS: Record<SiteStateName, string> = {
  UP: '#2e7d32',
  DEGRADED: '#b26a00',
  DOWN: '#c62828',
  UNREACHABLE: '#6a1b9a',
  MAINTENANCE: '#1565c0',
  UNKNOWN: '#616161',
};

const CSS = `*{box-sizing:border-box}body{margin:0;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212121;background:#fafafa}
header{background:#263238;color:#fff;padding:.5rem .75rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center}
header a,header button{color:#fff}header .brand{font-weight:700;text-decoration:none;margin-right:auto}
header nav{display:flex;flex-wrap:wrap;gap:.5rem .9rem}header form{display:inline;margin:0}
header button{background:none;border:1px solid #90a4ae;border-radius:3px;padding:.1rem .4rem;font:inherit;cursor:pointer}
main{padding:.75rem;max-width:960px;margin:0 auto}h1{font-size:1.25rem;margin:.25rem 0 .75rem}h2{font-size:1.05rem;margin:1rem 0 .4rem}
.banner{background:#fff3e0;border:1px solid #ef6c00;color:#5d2c00;padding:.5rem .75rem;border-radius:4px;margin-bottom:.75rem}
.err{background:#ffebee;border-color:#c62828;color:#7f0000}
.badge{display:inline-block;min-width:6.5em;text-align:center;color:#fff;border-radius:3px;padding:.05rem .35rem;font-size:.85rem;font-weight:600}
ul.sites{list-style:none;margin:0;padding:0}ul.sites li{display:flex;flex-wrap:wrap;gap:.15rem .5rem;align-items:baseline;padding:.35rem 0;border-bottom:1px solid #e0e0e0}
ul.sites .name{font-weight:600}.muted{color:#616161;font-size:.85rem}.group{background:#fff;border:1px solid #e0e0e0;border-radius:4px;padding:.25rem .6rem;margin-bottom:.6rem}
.group h2{margin:.3rem 0}.summary{display:flex;flex-wrap:wrap;gap:.35rem;margin-bottom:.6rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e0e0e0;padding:.3rem .4rem;text-align:left;vertical-align:top}
.scroll{overflow-x:auto}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem;margin:0}dt{color:#616161}dd{margin:0}
form.inline{display:inline}label{display:block;margin:.4rem 0 .1rem}input,select,textarea,button{font:inherit}
input[type=text],input[type=password],input[type=datetime-local],input[type=date],textarea,select{width:100%;max-width:28rem;padding:.35rem;border:1px solid #9e9e9e;border-radius:3px}
button.primary{background:#1565c0;color:#fff;border:0;border-radius:3px;padding:.4rem .9rem;margin-top:.5rem;cursor:pointer}
ol.steps{padding-left:1.4rem}ol.steps li{margin:.5rem 0;padding:.3rem;background:#fff;border:1px solid #e0e0e0;border-radius:4px}
ol.steps li.done{background:#e8f5e9}ol.steps label{display:flex;gap:.5rem;align-items:flex-start;cursor:pointer}
ol.steps input[type=checkbox]{width:1.4rem;height:1.4rem;flex:none;margin:.1rem 0 0}ol.steps .row{display:flex;gap:.4rem;margin-top:.3rem}ol.steps .row input{flex:1}
form .save{margin:.4rem 0}.outcome dd{white-space:pre-wrap}.chart{background:#fff;border:1px solid #e0e0e0;border-radius:4px;max-width:640px;display:block}
.legend span{margin-right:.8rem}.card{background:#fff;border:1px solid #e0e0e0;border-radius:4px;padding:.6rem;margin-bottom:.75rem}
@media(min-width:720px){main{padding:1rem 1.25rem}ul.sites li{flex-wrap:nowrap}}`;

export function badge(lang: Lang, state: SiteStateName): Safe {
  return html`<span class="badge" style="background:${STATE_COLOURS[state]}">${stateLabel(lang, state)}</span>`;
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();

/** `20/11 08:00`, or `20/11/2026 08:00` with the year, in the page's time zone. */
export function fmtTime(t: number | null | undefined, ctx: PageCtx, withYear = false): string {
  if (t === null || t === undefined || !Number.isFinite(t)) return '—';
  let f = fmtCache.get(ctx.timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: ctx.timeZone, year: 'numeric', day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    fmtCache.set(ctx.timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}${withYear ? `/${p.year}` : ''} ${p.hour}:${p.minute}`;
}

/** How long a state has lasted, in the page's language (glossary: `2 giờ 15 phút`, `2 h 15 min`). */
export function fmtDuration(ms: number, lang: Lang = 'en'): string {
  return formatDuration(ms, lang);
}

/** A condition (the engine's technical detail) in the page's language. */
export function fmtDetail(detail: string, lang: Lang): string {
  return renderConditions(parseDetail(detail), lang);
}

export function csrfField(ctx: PageCtx): Safe {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf ?? ''}">`;
}

export function layout(ctx: PageCtx, title: string, body: Safe, opts: { banner?: string | null; status?: number } = {}): string {
  const other: Lang = ctx.lang === 'vi' ? 'en' : 'vi';
  const nav = ctx.user
    ? html`<nav><a href="/board">${t(ctx.lang, 'board')}</a><a href="/incidents">${t(ctx.lang, 'incidents')}</a><a href="/maintenance">${t(ctx.lang, 'maintenance')}</a><a href="/coverage">${t(ctx.lang, 'coverage')}</a></nav>`
    : '';
  const signOut = ctx.user
    ? html`<form method="post" action="/logout">${csrfField(ctx)}<button type="submit" title="${t(ctx.lang, 'signed_in_as', { name: ctx.user.name, role: ctx.user.role })}">${t(ctx.lang, 'sign_out')}</button></form>`
    : '';
  const page = html`<!doctype html>
<html lang="${ctx.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · pointwatch</title><style>${raw(CSS)}</style></head>
<body><header><a class="brand" href="/board">pointwatch</a>${nav}<a href="/lang/${other}?next=${encodeURIComponent(ctx.path)}" hreflang="${other}" lang="${other}">${t(ctx.lang, 'switch_lang')}</a>${signOut}</header>
<main>${opts.banner ? html`<p class="banner" role="alert">${opts.banner}</p>` : ''}${body}</main></body></html>`;
  return page.value;
}
