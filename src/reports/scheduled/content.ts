/**
 * The words of the scheduled reports (pure): subject, plain text and HTML per language, built
 * from structured data through the locale (never an English string inside a Vietnamese mail).
 */
import type { Lang } from '../../config/schema.js';
import type { SiteStateName } from '../../store/schema.js';
import type { AreaCoverage, SiteCoverage } from '../coverage.js';
import type { Notice } from '../../alerting/notice.js';
import { escapeHtml as esc } from '../../web/html.js';
import { kindLabel, stateLabel } from '../../web/i18n.js';
import { ago, pt } from '../../web/public/i18n.js';
import { ymd } from './periods.js';

export interface Message {
  subject: string;
  text: string;
  html: string;
}

function time(ts: number, tz: string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ts)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}
const dmy = (ts: number, tz: string) => ymd(ts, tz).split('-').reverse().join('/');
const num = (v: number | null, lang: Lang) => (v === null ? pt(lang, 'no_data') : `${v.toFixed(1)}%`);

function table(head: string[], rows: string[][]): string {
  return `<table border="1" cellpadding="4" style="border-collapse:collapse"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export interface DownPoint {
  name: string;
  state: SiteStateName;
  since: number;
}

export function stillDownMessage(lang: Lang, a: { commune: string; at: number; tz: string; points: DownPoint[]; link?: string }): Message {
  const subject = pt(lang, 'still_down_subject', { commune: a.commune, date: dmy(a.at, a.tz) });
  const intro = pt(lang, 'still_down_intro', { commune: a.commune, time: time(a.at, a.tz) });
  const lines = a.points.map((p) => `${p.name}: ${stateLabel(lang, p.state)}, ${pt(lang, 'since', { time: time(p.since, a.tz), ago: ago(lang, a.at - p.since) })}`);
  const text = [intro, '', ...lines.map((l) => `- ${l}`), ...(a.link ? ['', a.link] : [])].join('\n');
  const html = `<p>${esc(intro)}</p><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>${a.link ? `<p><a href="${esc(a.link)}">${esc(a.link)}</a></p>` : ''}`;
  return { subject, text, html };
}

export function weeklyMessage(lang: Lang, a: { commune: string; from: number; to: number; tz: string; sites: SiteCoverage[]; link?: string }): Message {
  const from = dmy(a.from, a.tz), to = dmy(a.to - 43_200_000, a.tz);
  const subject = pt(lang, 'weekly_subject', { commune: a.commune, from, to });
  const intro = pt(lang, 'weekly_intro', { from, to });
  const rows = [...a.sites].sort((x, y) => (x.availability_pct ?? -1) - (y.availability_pct ?? -1))
    .map((s) => [s.name, num(s.availability_pct, lang), String(Math.round(s.down_min)), String(s.incidents)]);
  const head = [pt(lang, 'site'), pt(lang, 'availability'), pt(lang, 'downtime'), pt(lang, 'incidents')];
  const text = [intro, '', ...rows.map((r) => `- ${r[0]}: ${r[1]} · ${head[2]} ${r[2]} · ${head[3]} ${r[3]}`), ...(a.link ? ['', a.link] : [])].join('\n');
  return { subject, text, html: `<p>${esc(intro)}</p>${table(head, rows)}${a.link ? `<p><a href="${esc(a.link)}">${esc(a.link)}</a></p>` : ''}` };
}

export interface BudgetRow {
  commune: string;
  spent: number;
  folded: number;
}

export function budgetSection(lang: Lang, rows: readonly BudgetRow[], budget: number): { text: string; html: string } {
  const head = [pt(lang, 'commune'), pt(lang, 'budget_spent'), pt(lang, 'budget_folded', { n: '' }).trim()];
  const body = rows.map((r) => [r.commune, budget > 0 ? pt(lang, 'budget_of', { spent: r.spent, budget }) : String(r.spent), String(r.folded)]);
  return {
    text: [pt(lang, 'budget_spent'), ...body.map((r) => `- ${r[0]}: ${r[1]} · ${pt(lang, 'budget_folded', { n: r[2]! })}`)].join('\n'),
    html: `<h2>${esc(pt(lang, 'budget_spent'))}</h2>${table(head, body)}`,
  };
}

export function monthlyMessage(lang: Lang, a: { province: string; month: string; total: AreaCoverage; target: number; link: string; budget: { text: string; html: string } }): Message {
  const [y, m] = a.month.split('-');
  const month = `${m}/${y}`;
  const subject = pt(lang, 'monthly_subject', { province: a.province, month });
  const lines = [
    pt(lang, 'monthly_intro', { province: a.province, month }),
    pt(lang, 'covered', { covered: a.total.communes_covered, communes: a.total.communes, target: a.target, meeting: a.total.sites_meeting_target, sites: a.total.sites }),
    pt(lang, 'monthly_link', { url: a.link }),
  ];
  return {
    subject,
    text: [...lines, '', a.budget.text].join('\n'),
    html: `${lines.map((l) => `<p>${esc(l)}</p>`).join('')}${a.budget.html}`,
  };
}

export function digestMessage(lang: Lang, a: { commune: string; tz: string; notices: Array<{ notice: Notice; at: number }> }): Message {
  const subject = pt(lang, 'digest_subject', { commune: a.commune, n: a.notices.length });
  const intro = pt(lang, 'digest_intro', { commune: a.commune });
  const lines = a.notices.map(({ notice: n }) => `${time(n.event === 'resolved' && n.resolved_at ? n.resolved_at : n.since, a.tz)} ${kindLabel(lang, n.kind)}: ${n.site?.name ?? n.area.commune} → ${stateLabel(lang, n.state)}`);
  return { subject, text: [intro, '', ...lines.map((l) => `- ${l}`)].join('\n'), html: `<p>${esc(intro)}</p><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` };
}

/** Telegram (parse_mode HTML: only b and a tags, the rest escaped). */
export function telegramText(m: Message, link?: string): string {
  const body = m.text.length > 3500 ? `${m.text.slice(0, 3500)}…` : m.text;
  return `<b>${esc(m.subject)}</b>\n${esc(body)}${link && !m.text.includes(link) ? `\n<a href="${esc(link)}">${esc(link)}</a>` : ''}`;
}
