/**
 * The pages, as pure functions of what the Service returned. Every value goes through html``
 * (escaped); charts come from charts.ts (which escapes its own labels).
 */
import { causeLabel, classLabel, columnLabel } from '../reports/render/words.js';
import { dataSources } from '../reports/render/rows.js';
import type { CoverageReport, Incident, LatestMeasurements, LiveState, MaintenanceWindow, RunbookStepRecord, RunbookView, Series } from '../api/deps.js';
import type { PublicSite, SiteStatus } from '../api/service.js';
import { can } from '../api/auth/scope.js';
import { STATE_CODE, SITE_STATES, type SiteStateName } from '../store/schema.js';
import { barChart, lineChart } from './charts.js';
import { renderMarkdown } from './markdown.js';
import { html, raw, type Safe } from './html.js';
import { fieldRows } from './sheet.js';
import { actorLabel, kindLabel, stateLabel, t, type MsgKey } from './i18n.js';
import { badge, csrfField, fmtDetail, fmtDuration, fmtTime, layout, STATE_COLOURS, type PageCtx } from './layout.js';
import { communeKey, placeOf } from '../inventory/places.js';
import { one } from './form-errors.js';
import { lastReading, lteQuality, quotaState } from './lte.js';
import type { LteQuality } from '../core/glossary.js';
import type { Settings } from '../config/schema.js';

type LteThresholds = Settings['thresholds']['lte'];

// ---------------------------------------------------------------- login

export function loginPage(ctx: PageCtx, loginCsrf: string, next: string, failed: boolean, problem: { message: string; username: string } | null = null): string {
  const L = ctx.lang;
  return layout(
    ctx,
    t(L, 'login_title'),
    html`<h1>${t(L, 'login_title')}</h1>
${failed ? html`<p class="banner err" role="alert">${t(L, 'login_failed')}</p>` : ''}${problem ? html`<p class="banner err" role="alert">${problem.message}</p>` : ''}
<form method="post" action="/login" class="card">
<input type="hidden" name="_csrf" value="${loginCsrf}"><input type="hidden" name="next" value="${next}">
<label for="u">${t(L, 'username')}</label><input id="u" type="text" name="username" autocomplete="username" autocapitalize="none" required maxlength="64" value="${problem?.username ?? ''}">
<label for="p">${t(L, 'password')}</label><input id="p" type="password" name="password" autocomplete="current-password" required maxlength="1024">
<button class="primary" type="submit">${t(L, 'sign_in')}</button></form>`,
  );
}

// ---------------------------------------------------------------- board

interface CommuneGroup {
  key: string;
  commune: string;
  group?: string;
  province: string;
  items: SiteStatus[];
  worst: number;
}

/** Sites grouped by commune; groups worst first, sites worst first inside (input is sorted worst first). */
export function groupByCommune(items: SiteStatus[]): CommuneGroup[] {
  const groups = new Map<string, CommuneGroup>();
  for (const it of items) {
    const s = it.site;
    const key = communeKey(s);
    let g = groups.get(key);
    if (!g) {
      g = { key, ...placeOf(s), items: [], worst: -1 };
      groups.set(key, g);
    }
    g.items.push(it);
    g.worst = Math.max(g.worst, STATE_CODE[it.state.state]);
  }
  const bad = (g: CommuneGroup) => g.items.filter((i) => STATE_CODE[i.state.state] >= STATE_CODE.DEGRADED).length;
  return [...groups.values()].sort((a, b) => b.worst - a.worst || bad(b) - bad(a) || a.commune.localeCompare(b.commune));
}

/** Healthy (hidden by the board's "problems only" filter): UP, and MAINTENANCE that somebody planned. */
export function isHealthy(s: SiteStatus): boolean {
  return s.state.state === 'UP' || s.state.state === 'MAINTENANCE';
}

/**
 * Problems first: communes and sites worst first. `problemsOnly` (the `?show=problems` link, no
 * JavaScript) hides the healthy sites and the communes left empty.
 */
export function boardPage(ctx: PageCtx, items: SiteStatus[], storeDown: boolean, problemsOnly = false): string {
  const L = ctx.lang;
  const counts = new Map<SiteStateName, number>();
  for (const i of items) counts.set(i.state.state, (counts.get(i.state.state) ?? 0) + 1);
  const summary = SITE_STATES.filter((s) => counts.get(s))
    .sort((a, b) => STATE_CODE[b] - STATE_CODE[a])
    .map((s) => html`<span class="badge" style="background:${STATE_COLOURS[s]}">${stateLabel(L, s)}: ${counts.get(s)!}</span>`);
  const shown = problemsOnly ? items.filter((i) => !isHealthy(i)) : items;
  const hidden = items.length - shown.length;
  const filter = html`<p class="filter">${problemsOnly
    ? html`<strong>${t(L, 'board_problems')}</strong> · <a href="/board">${t(L, 'board_all')}</a>${hidden ? html` <span class="muted">(${t(L, 'board_hidden_ok', { n: hidden })})</span>` : ''}`
    : html`<a href="/board?show=problems">${t(L, 'board_problems')}</a>`}</p>`;
  const groups = groupByCommune(shown).map(
    (g) => html`<section class="group"><h2>${g.commune} <span class="muted">${g.province} · ${t(L, 'sites_count', { n: g.items.length })} · <a href="/sheet?province=${encodeURIComponent(g.province)}&amp;commune=${encodeURIComponent(g.commune)}">${t(L, 'sheet_link')}</a></span></h2>
<ul class="sites">${g.items.map(
      (i) => html`<li>${badge(L, i.state.state)} <a class="name" href="/sites/${encodeURIComponent(i.site.id)}">${i.site.name}</a> <span class="muted">${t(L, 'since', { time: fmtTime(i.state.since, ctx) })} (${fmtDuration(ctx.now - i.state.since, L)})${i.state.state !== 'UP' && i.state.detail ? html` · ${fmtDetail(i.state.detail, L)}` : ''}</span></li>`,
    )}</ul></section>`,
  );
  return layout(
    ctx,
    t(L, 'board'),
    html`<h1>${t(L, 'board')}</h1><div class="summary">${summary}</div>${items.length ? html`${filter}${shown.length ? groups : html`<p>${t(L, 'board_no_problems')}</p>`}` : html`<p>${t(L, 'no_sites')}</p>`}`,
    { banner: storeDown ? t(L, 'store_down') : null },
  );
}

// ---------------------------------------------------------------- site

export interface SiteCharts {
  ping24: Series;
  ping7: Series;
  bw24: Series;
  bw7: Series;
}

function seriesPoints(s: Series, field: string, scale = 1) {
  return s.points.map((p) => ({ t: p.t, v: p.values[field] == null ? null : (p.values[field] as number) * scale }));
}

function pingChart(ctx: PageCtx, s: Series, title: string): Safe {
  const L = ctx.lang;
  return raw(
    lineChart({
      title, from: s.from, to: s.to, timeZone: ctx.timeZone, emptyText: t(L, 'no_data'),
      series: [
        { label: t(L, 'latency'), color: '#1565c0', points: seriesPoints(s, 'rtt_avg_ms') },
        { label: t(L, 'loss'), color: '#c62828', points: seriesPoints(s, 'loss_pct') },
      ],
    }),
  );
}

function bwChart(ctx: PageCtx, s: Series, title: string): Safe {
  const L = ctx.lang;
  return raw(
    lineChart({
      title, from: s.from, to: s.to, timeZone: ctx.timeZone, emptyText: t(L, 'no_data'),
      series: [
        { label: t(L, 'in'), color: '#2e7d32', points: seriesPoints(s, 'in_bps', 1e-6) },
        { label: t(L, 'out'), color: '#6a1b9a', points: seriesPoints(s, 'out_bps', 1e-6) },
      ],
    }),
  );
}

/** The 4G figures of a site over the page's periods (lte and push series), and the weak-signal thresholds. */
export interface SiteRadio {
  lte24: Series;
  lte7: Series;
  push24: Series;
  push7: Series;
  thresholds: LteThresholds;
}

const FIGURE_SHORT = { rsrp_dbm: 'RSRP (dBm)', rsrq_db: 'RSRQ (dB)', sinr_db: 'SINR (dB)', rssi_dbm: 'RSSI (dBm)' } as const;
const RSRP_COLOUR = '#1565c0';
const SINR_COLOUR = '#6a1b9a';
const WEAK_COLOUR = '#c62828';
const QUALITY_COLOURS: Record<LteQuality, string> = { good: '#2e7d32', fair: '#b26a00', poor: '#c62828' };

/** `-97`, `-11,5` (vi) / `-11.5` (en): one decimal at most. */
function fmtNum(v: number, lang: PageCtx['lang']): string {
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1, useGrouping: false }).format(v);
}

/** Bytes as people read a data package: `1,2 GB`, `350 MB`. */
export function fmtBytes(v: number, lang: PageCtx['lang']): string {
  const [div, unit] = v >= 1e9 ? [1e9, 'GB'] : v >= 1e6 ? [1e6, 'MB'] : [1e3, 'kB'];
  return `${fmtNum(v / div, lang)} ${unit}`;
}

/** A figure chart of one LTE field on a fixed scale, with the weak-signal threshold as a dashed line. */
function lteChart(ctx: PageCtx, s: Series, field: 'rsrp_dbm' | 'sinr_db', title: string, limit: number): Safe {
  const L = ctx.lang;
  const [yMin, yMax, colour, label] = field === 'rsrp_dbm' ? [-140, -40, RSRP_COLOUR, t(L, 'lte_rsrp')] : [-20, 40, SINR_COLOUR, t(L, 'lte_sinr')];
  return raw(
    lineChart({
      title, from: s.from, to: s.to, timeZone: ctx.timeZone, emptyText: t(L, 'no_data'), height: 120, yMin, yMax,
      marks: [{ v: limit, color: WEAK_COLOUR, label: t(L, 'lte_weak_below', { v: fmtNum(limit, L) }) }],
      series: [{ label, color: colour, points: seriesPoints(s, field) }],
    }),
  );
}

/**
 * The last 4G reading in one word (good / fair / poor, the weak-signal alert's thresholds) with
 * its figures, the data package, and RSRP and SINR over 24 hours and 7 days. Nothing for a site
 * that sent neither a 4G figure nor a push report in 7 days (a fibre site).
 */
export function radioSection(ctx: PageCtx, r: SiteRadio): Safe | '' {
  const L = ctx.lang;
  const last = lastReading(r.lte24, r.lte7);
  const quota = quotaState(r.push7);
  const used24 = quotaState(r.push24).usedBytes;
  if (!last && quota.exhausted === null && quota.usedBytes === null && !r.push7.points.length) return '';
  const q = last ? lteQuality(last, r.thresholds) : null;
  // Short labels in the list (a phone's width is shared with the values); the long names are in the tooltip and the charts.
  const fig = (k: 'rsrp_dbm' | 'rsrq_db' | 'sinr_db' | 'rssi_dbm', key: MsgKey) => (last?.[k] !== undefined ? html`<dt title="${t(L, key)}">${FIGURE_SHORT[k]}</dt><dd>${fmtNum(last[k], L)}</dd>` : '');
  const summary = last
    ? html`<dt>${t(L, 'lte_quality')}</dt><dd>${q ? html`<span class="badge" style="background:${QUALITY_COLOURS[q]}">${t(L, `lte_${q}` as MsgKey)}</span> ` : ''}<span class="muted">${t(L, 'lte_measured', { time: fmtTime(last.ts, ctx) })}</span></dd>
${fig('rsrp_dbm', 'lte_rsrp')}${fig('rsrq_db', 'lte_rsrq')}${fig('sinr_db', 'lte_sinr')}${fig('rssi_dbm', 'lte_rssi')}
${last.operator || last.band ? html`<dt>${t(L, 'lte_network')}</dt><dd>${[last.operator, last.band ? `${t(L, 'lte_band')} ${last.band}` : ''].filter(Boolean).join(' · ')}</dd>` : ''}
${last.cell_id !== undefined ? html`<dt>${t(L, 'lte_cell')}</dt><dd>${String(last.cell_id)}${last.enb_id !== undefined ? ` (eNB ${last.enb_id})` : ''}</dd>` : ''}`
    : html`<dt>${t(L, 'lte_quality')}</dt><dd class="muted">${t(L, 'lte_none')}</dd>`;
  const quotaRow = html`<dt>${t(L, 'quota')}</dt><dd>${quota.exhausted === null
    ? html`<span class="muted">${t(L, 'quota_not_said')}</span>`
    : html`${quota.exhausted ? html`<strong style="color:${WEAK_COLOUR}">${t(L, 'quota_used_up')}</strong>` : t(L, 'quota_ok')} <span class="muted">(${t(L, 'quota_said_at', { time: fmtTime(quota.at, ctx) })})</span>`}</dd>
${quota.usedBytes !== null ? html`<dt>${t(L, 'data_used')}</dt><dd>${t(L, 'data_used_value', { h24: fmtBytes(used24 ?? 0, L), d7: fmtBytes(quota.usedBytes, L) })}</dd>` : ''}`;
  const th = r.thresholds;
  const charts = last
    ? html`<h3 class="muted">${t(L, 'h24')}</h3>${lteChart(ctx, r.lte24, 'rsrp_dbm', `${t(L, 'lte_rsrp')} — ${t(L, 'h24')}`, th.rsrp_dbm)}${lteChart(ctx, r.lte24, 'sinr_db', `${t(L, 'lte_sinr')} — ${t(L, 'h24')}`, th.sinr_db)}
<h3 class="muted">${t(L, 'd7')}</h3>${lteChart(ctx, r.lte7, 'rsrp_dbm', `${t(L, 'lte_rsrp')} — ${t(L, 'd7')}`, th.rsrp_dbm)}${lteChart(ctx, r.lte7, 'sinr_db', `${t(L, 'lte_sinr')} — ${t(L, 'd7')}`, th.sinr_db)}`
    : '';
  return html`<section id="lte"><h2>${t(L, 'lte_title')}</h2><div class="card"><dl>${summary}
${quotaRow}</dl><p class="muted">${t(L, 'lte_good_poor_hint', { rsrp: fmtNum(th.rsrp_dbm, L), rsrq: fmtNum(th.rsrq_db, L), sinr: fmtNum(th.sinr_db, L) })}</p></div>
${last ? html`<p class="legend muted"><span style="color:${RSRP_COLOUR}">━ ${t(L, 'lte_rsrp')}</span><span style="color:${SINR_COLOUR}">━ ${t(L, 'lte_sinr')}</span><span style="color:${WEAK_COLOUR}">┄ ${t(L, 'lte_weak_below', { v: '' }).trim()}</span></p>` : ''}${charts}</section>`;
}

export function sitePage(
  ctx: PageCtx,
  d: { site: PublicSite; state: LiveState; latest: LatestMeasurements | null },
  charts: SiteCharts | null,
  incidents: Incident[],
  radio: SiteRadio | null = null,
): string {
  const L = ctx.lang;
  const { site, state, latest } = d;
  const legend = (a: string, ca: string, b: string, cb: string) =>
    html`<p class="legend muted"><span style="color:${ca}">━ ${a}</span><span style="color:${cb}">━ ${b}</span></p>`;
  const chartBlock = charts
    ? html`<h2>${t(L, 'latency')} / ${t(L, 'loss')}</h2>${legend(t(L, 'latency'), '#1565c0', t(L, 'loss'), '#c62828')}
<h3 class="muted">${t(L, 'h24')}</h3>${pingChart(ctx, charts.ping24, `${t(L, 'latency')} / ${t(L, 'loss')} — ${t(L, 'h24')}`)}
<h3 class="muted">${t(L, 'd7')}</h3>${pingChart(ctx, charts.ping7, `${t(L, 'latency')} / ${t(L, 'loss')} — ${t(L, 'd7')}`)}
<h2>${t(L, 'bandwidth')}</h2>${legend(t(L, 'in'), '#2e7d32', t(L, 'out'), '#6a1b9a')}
<h3 class="muted">${t(L, 'h24')}</h3>${bwChart(ctx, charts.bw24, `${t(L, 'bandwidth')} — ${t(L, 'h24')}`)}
<h3 class="muted">${t(L, 'd7')}</h3>${bwChart(ctx, charts.bw7, `${t(L, 'bandwidth')} — ${t(L, 'd7')}`)}
<p class="muted">${t(L, 'time_local').replace('Asia/Ho_Chi_Minh', ctx.timeZone)}</p>`
    : '';
  const up = latest?.uptime_s;
  const body = html`<h1>${site.name}</h1>
<div class="card"><p>${badge(L, state.state)} ${t(L, 'since', { time: fmtTime(state.since, ctx) })} (${fmtDuration(ctx.now - state.since, L)})</p>
${state.detail ? html`<p class="muted">${fmtDetail(state.detail, L)}</p>` : ''}
<dl><dt>${t(L, 'location')}</dt><dd>${[site.village, site.commune, site.province].filter(Boolean).join(', ')}${site.group ? html` <span class="muted">(${ctx.groupLabel ?? t(L, 'group')}: ${site.group})</span>` : ''}</dd>
<dt>${t(L, 'last_check')}</dt><dd>${fmtTime(latest?.ts, ctx)}${latest && latest.loss_pct !== null ? html` · ${t(L, 'loss')}: ${Math.round(latest.loss_pct)} · ${t(L, 'latency')}: ${latest.rtt_avg_ms === null ? '—' : Math.round(latest.rtt_avg_ms)}` : ''}</dd>
<dt>${t(L, 'last_reboot')}</dt><dd>${latest?.last_reboot ? fmtTime(latest.last_reboot, ctx, true) : up != null ? fmtTime(ctx.now - up * 1000, ctx, true) : t(L, 'unknown')}</dd>
<dt>${t(L, 'uptime')}</dt><dd>${up != null ? fmtDuration(up * 1000, L) : t(L, 'unknown')}</dd>
${latest?.wan ? html`<dt>WAN</dt><dd>${latest.wan.name}: ${t(L, 'in')} ${mbps(latest.wan.in_bps)} / ${t(L, 'out')} ${mbps(latest.wan.out_bps)} Mbit/s</dd>` : ''}
<dt>${t(L, 'host')}</dt><dd>${site.host ?? ''}${site.push ? html`${site.host ? ' · ' : ''}${t(L, 'push_every', { s: site.push.interval_s })}` : ''}${site.uplink ? html` · ${t(L, 'uplink')}: ${site.uplink}` : ''}</dd>
${site.contacts.length ? html`<dt>${t(L, 'contacts')}</dt><dd>${site.contacts.map((c, i) => html`${i ? ', ' : ''}${c.name}${c.phone ? html` <a href="tel:${c.phone.replace(/[^0-9+]/g, '')}">${c.phone}</a>` : ''}`)}</dd>` : ''}
${fieldRows(L, site).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
</dl><p><a href="/sheet?province=${encodeURIComponent(site.province)}&amp;commune=${encodeURIComponent(site.commune)}">${t(L, 'sheet_link')}</a></p></div>
${incidents.length ? html`<h2>${t(L, 'incidents')}</h2><ul>${incidents.map((i) => html`<li><a href="/incidents/${i.id}">#${i.id} ${kindLabel(L, i.kind)}</a> · ${fmtTime(i.opened_at, ctx)}</li>`)}</ul>` : ''}
${radio ? radioSection(ctx, radio) : ''}
${chartBlock}`;
  return layout(ctx, site.name, body, { banner: charts ? null : t(L, 'store_down') });
}

function mbps(v: number | null): string {
  return v === null ? '—' : (v / 1e6).toFixed(1);
}

// ---------------------------------------------------------------- incidents

export function causeText(L: PageCtx['lang'], c: Incident['cause']): string {
  return c ? t(L, `cause_${c}` as MsgKey) : t(L, 'cause_unknown');
}

export function incidentsPage(ctx: PageCtx, items: Incident[], siteNames: Map<string, string>, showAll: boolean): string {
  const L = ctx.lang;
  const rows = items.map(
    (i) => html`<tr><td>${i.resolved_at === null ? badge(L, i.state) : html`<span class="muted">${t(L, 'resolved')}</span>`}</td>
<td><a href="/incidents/${i.id}">#${i.id} ${kindLabel(L, i.kind)}</a> <span class="muted">(${i.kind})</span><br><span class="muted">${i.site_id ? siteNames.get(i.site_id) ?? i.site_id : i.commune} · ${i.commune}</span></td>
<td>${fmtTime(i.opened_at, ctx)}${i.resolved_at !== null ? html`<br><span class="muted">→ ${fmtTime(i.resolved_at, ctx)}</span>` : ''}</td>
<td>${i.acknowledged_by ? actorLabel(L, i.acknowledged_by) : html`<span class="muted">${t(L, 'not_acknowledged')}</span>`}</td></tr>`,
  );
  return layout(
    ctx,
    t(L, 'incidents'),
    html`<h1>${t(L, 'incidents')}</h1>
<p><a href="/incidents${showAll ? '' : '?status=all'}">${t(L, showAll ? 'show_open' : 'show_resolved')}</a></p>
${items.length ? html`<div class="scroll"><table><thead><tr><th>${t(L, 'state')}</th><th>${t(L, 'kind')}</th><th>${t(L, 'opened')}</th><th>${t(L, 'acknowledge')}</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p>${t(L, 'no_incidents')}</p>`}`,
  );
}

// The incident page (signed-in and signed-link): incident-page.ts
export { incidentPage } from './incident-page.js';

// ---------------------------------------------------------------- maintenance

/** `form`: the window form as posted, with what was wrong (a refused form comes back filled in). */
export function maintenancePage(ctx: PageCtx, items: Array<MaintenanceWindow & { can_delete: boolean }>, posted: { message: string; values: Record<string, string | string[]> } | null = null): string {
  const L = ctx.lang;
  const v = (k: string) => one(posted?.values ?? {}, k) ?? '';
  const rows = items.map(
    (w) => html`<tr><td>${fmtTime(w.start, ctx, true)}<br>→ ${fmtTime(w.end, ctx, true)}</td>
<td>${[...w.sites, ...w.communes, ...w.groups].join(', ')}${w.cron ? html`<br><span class="muted">cron ${w.cron}${w.duration_ms ? ` · ${fmtDuration(w.duration_ms, L)}` : ''}</span>` : ''}</td><td>${w.reason}<br><span class="muted">${w.created_by}</span></td>
<td>${w.can_delete ? html`<form method="post" action="/maintenance/${w.id}/delete" class="inline">${csrfField(ctx)}<button type="submit">${t(L, 'delete')}</button></form>` : ''}</td></tr>`,
  );
  const form = ctx.user && can(ctx.user, 'maintenance')
    ? html`<h2 id="new-window">${t(L, 'new_window')}</h2><form method="post" action="/maintenance" class="card">${csrfField(ctx)}
${posted ? html`<p class="banner err" role="alert">${posted.message} ${t(L, 'form_kept')}</p>` : ''}
<label for="ms">${t(L, 'sites_field')}</label><input id="ms" type="text" name="sites" maxlength="2000" value="${v('sites')}">
<label for="mc">${t(L, 'communes_field')}</label><input id="mc" type="text" name="communes" maxlength="2000" value="${v('communes')}">
<label for="md">${ctx.groupLabel ? `${ctx.groupLabel} (${t(L, 'comma_separated')})` : t(L, 'groups_field')}</label><input id="md" type="text" name="groups" maxlength="2000" value="${v('groups')}">
<label for="m1">${t(L, 'start')}</label><input id="m1" type="datetime-local" name="start" required value="${v('start')}">
<label for="m2">${t(L, 'end')}</label><input id="m2" type="datetime-local" name="end" required value="${v('end')}">
<label for="mr">${t(L, 'reason')}</label><input id="mr" type="text" name="reason" required maxlength="500" value="${v('reason')}">
<p class="muted">${t(L, 'time_local').replace('Asia/Ho_Chi_Minh', ctx.timeZone)}</p>
<button class="primary" type="submit">${t(L, 'create')}</button></form>`
    : '';
  return layout(
    ctx,
    t(L, 'windows'),
    html`<h1>${t(L, 'windows')}</h1>${posted ? html`<p class="banner err" role="alert">${posted.message} <a href="#new-window">${t(L, 'form_go')}</a></p>` : ''}
${items.length ? html`<div class="scroll"><table><thead><tr><th>${t(L, 'start')} / ${t(L, 'end')}</th><th>${t(L, 'targets')}</th><th>${t(L, 'reason')}</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p>${t(L, 'no_windows')}</p>`}
${form}`,
  );
}

// ---------------------------------------------------------------- coverage

function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(1);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** A coverage value as people read it: classes, causes and data sources in the page's language. */
function coverageCell(L: PageCtx['lang'], key: string, v: unknown): string {
  if (typeof v === 'string' && key === 'class') return classLabel(L, v);
  if (typeof v === 'string' && key === 'main_cause') return causeLabel(L, v);
  if (typeof v === 'string' && key === 'resolution') return dataSources({ resolution: v as Parameters<typeof dataSources>[0]['resolution'] }, L);
  return cell(v);
}

export function coveragePage(
  ctx: PageCtx,
  q: { from: string; to: string; group_by: string; province?: string; group?: string; commune?: string },
  report: CoverageReport | null,
  error: string | null,
  map: string | null = null,
): string {
  const L = ctx.lang;
  const form = html`<form method="get" action="/coverage" class="card">
<label for="cf">${t(L, 'from')}</label><input id="cf" type="date" name="from" value="${q.from}" required>
<label for="ct">${t(L, 'to')}</label><input id="ct" type="date" name="to" value="${q.to}" required>
<label for="cg">${t(L, 'group_by')}</label><select id="cg" name="group_by">${['site', 'commune', 'group'].map((g) => html`<option value="${g}"${raw(g === q.group_by ? ' selected' : '')}>${columnLabel(L, g)}</option>`)}</select>
<button class="primary" type="submit">${t(L, 'show')}</button></form>`;
  let result: Safe | string = '';
  if (report) {
    const at = (r: object, k: string): unknown => (r as Record<string, unknown>)[k];
    const cols = [...new Set(report.rows.flatMap((r) => Object.keys(r).filter((k) => k !== 'name' && (at(r, k) === null || typeof at(r, k) !== 'object'))))];
    const summary = report.summary
      ? html`<dl class="card">${Object.entries(report.summary).filter(([, v]) => v === null || typeof v !== 'object').map(([k, v]) => html`<dt>${columnLabel(L, k)}</dt><dd>${coverageCell(L, k, v)}</dd>`)}</dl>`
      : '';
    result = html`<h2>${t(L, 'availability')} · ${t(L, 'target', { pct: report.target_pct })}</h2>${summary}${map ? raw(map) : ''}
${raw(barChart({ title: `${t(L, 'availability')} (%)`, target: report.target_pct, noDataText: t(L, 'no_data'), bars: report.rows.map((r) => ({ label: r.name, value: r.availability_pct })) }))}
<div class="scroll"><table><thead><tr><th>${columnLabel(L, report.group_by)}</th>${cols.map((c) => html`<th>${columnLabel(L, c)}</th>`)}</tr></thead>
<tbody>${report.rows.map((r) => html`<tr><td>${r.name}</td>${cols.map((c) => html`<td>${coverageCell(L, c, at(r, c))}</td>`)}</tr>`)}</tbody></table></div>
${coverageIncidents(ctx, report)}`;
  }
  return layout(ctx, t(L, 'coverage'), html`<h1>${t(L, 'coverage')}</h1>${form}${result}`, { banner: error });
}

/** The report's incident list: each incident with what the trainee found and did. */
function coverageIncidents(ctx: PageCtx, report: CoverageReport): Safe {
  const L = ctx.lang;
  const list = report.incidents ?? [];
  const rows = list.map((e) => html`<tr id="incident-${e.id ?? ''}"><td>${e.id !== null ? html`<a href="/incidents/${e.id}">#${e.id}</a>` : ''}</td>
<td>${e.name}<br><span class="muted">${e.commune} · ${e.kind ? kindLabel(L, e.kind) : ''}</span></td><td>${fmtTime(e.opened, ctx)}<br><span class="muted">→ ${e.resolved === null ? t(L, 'open') : fmtTime(e.resolved, ctx)}</span></td>
<td>${causeText(L, e.cause as Incident['cause'])}</td>
<td class="outcome">${e.outcome ? html`<strong>${e.outcome.cause_found}</strong><br>${e.outcome.actions}${e.outcome.parts ? html`<br>${t(L, 'outcome_parts')}: ${e.outcome.parts}` : ''}<br><span class="muted">${actorLabel(L, e.outcome.by)}</span>` : html`<span class="muted">${t(L, 'outcome_none')}</span>`}</td></tr>`);
  return html`<h2 id="incidents">${t(L, 'incidents')} (${list.length})</h2>${list.length
    ? html`<div class="scroll"><table><thead><tr><th>#</th><th>${t(L, 'site')}</th><th>${t(L, 'opened')}</th><th>${t(L, 'cause_inferred')}</th><th>${t(L, 'outcome')}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="muted">${t(L, 'no_incidents')}</p>`}`;
}

// ---------------------------------------------------------------- errors

export function errorPage(ctx: PageCtx, status: number, message: string): string {
  const L = ctx.lang;
  return layout(ctx, `${t(L, 'error')} ${status}`, html`<h1>${t(L, 'error')} ${status}</h1><p class="banner err">${message}</p><p><a href="/board">${t(L, 'back')}</a></p>`);
}
