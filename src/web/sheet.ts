/**
 * The printable commune sheet (pure): every point of one commune with what staff need in the field
 * (router, SIM, provider and account, contracted bandwidth, power, key holder) and whom to call.
 * One standalone HTML document, A4 print CSS, no script: the web UI serves it (`/sheet`) and
 * `pointwatch sheet` writes it to a file. Never shows an SNMP community or key.
 */
import type { AreaContacts, Contact, Lang, Site } from '../config/schema.js';
import { html, raw, type Safe } from './html.js';
import { MESSAGES, t } from './i18n.js';
import { areaCovers, type PlaceLevel } from '../inventory/places.js';

/** A site as the sheet needs it: SNMP access is never printed, so it is not even passed. */
export type SheetSite = Omit<Site, 'snmp'>;

export interface SheetInput {
  lang: Lang;
  province: string;
  commune: string;
  /** The commune's sites (any order: the sheet sorts them by name). */
  sites: readonly SheetSite[];
  /** Escalation contacts from the inventory's `areas`; those of this commune, its sites' groups and its province are shown. */
  areas: readonly AreaContacts[];
  /** Names of sites outside the commune that a site's `parent` may name. */
  siteNames: ReadonlyMap<string, string>;
  printedAt: number;
  timeZone: string;
  /** What the optional level between province and commune is called here (settings.places.group_label). */
  groupLabel?: string;
  /** Web only: a link back to the board (hidden when printed). */
  backHref?: string;
}

const CSS = `*{box-sizing:border-box}body{margin:0 auto;max-width:210mm;padding:8mm;font:11pt/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#000;background:#fff}
h1{font-size:15pt;margin:0 0 1mm}h2{font-size:12.5pt;margin:5mm 0 2mm;border-bottom:.4mm solid #000}h3{font-size:11.5pt;margin:0 0 1mm}
.printed{color:#333;font-size:9.5pt;margin:0 0 3mm}.noprint{margin:0 0 3mm;font-size:10pt}
table{border-collapse:collapse;width:100%}th,td{border:.2mm solid #777;padding:1mm 1.5mm;text-align:left;vertical-align:top}th{background:#eee;font-weight:600}
section.site{border:.3mm solid #000;border-radius:1.5mm;padding:2mm 3mm;margin:0 0 3mm;break-inside:avoid;page-break-inside:avoid}
section.site dl{display:grid;grid-template-columns:42mm 1fr;gap:.6mm 3mm;margin:0}dt{color:#333}dd{margin:0}
.muted{color:#333;font-size:9.5pt}ul.contacts{margin:0;padding-left:4mm}
@page{size:A4;margin:12mm}
@media print{body{padding:0;max-width:none}.noprint{display:none}a{color:#000;text-decoration:none}}`;

/** A label built from a value (`power_${p}`); a value without a label shows as written. */
function label(lang: Lang, key: string, fallback = key): string {
  return (MESSAGES[lang] as Record<string, string>)[key] ?? fallback;
}

function contactLine(c: Contact): Safe {
  const reach = [c.phone, c.zalo && c.zalo !== c.phone ? `Zalo ${c.zalo}` : null, c.email].filter(Boolean).join(' · ');
  return html`<strong>${c.name}</strong>${c.role ? html` <span class="muted">(${c.role})</span>` : ''}${reach ? html`: ${reach}` : ''}`;
}

function formatPrinted(at: number, timeZone: string): string {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** What staff need in the field (router, SIM, provider, package, power, key holder): only what is given. */
export function fieldRows(lang: Lang, s: Pick<SheetSite, 'router' | 'sim' | 'isp' | 'bandwidth' | 'power' | 'key_holder'>): Array<[string, Safe | string]> {
  const L = (k: string) => label(lang, k);
  const rows: Array<[string, Safe | string | undefined]> = [
    [L('sheet_router'), s.router ? [s.router.model, s.router.serial ? t(lang, 'sheet_serial', { serial: s.router.serial }) : undefined].filter(Boolean).join(', ') : undefined],
    [L('sheet_sim'), s.sim ? `${s.sim.number}${s.sim.carrier ? ` (${s.sim.carrier})` : ''}` : undefined],
    [L('sheet_isp'), s.isp ? `${s.isp.name}${s.isp.account ? `, ${t(lang, 'sheet_account', { account: s.isp.account })}` : ''}` : undefined],
    [L('sheet_bandwidth'), s.bandwidth ? `↓ ${s.bandwidth.down_mbps ?? '?'} / ↑ ${s.bandwidth.up_mbps ?? '?'} Mbit/s` : undefined],
    [L('sheet_power'), s.power?.length ? s.power.map((p) => L(`power_${p}`)).join(', ') : undefined],
    [L('sheet_key_holder'), s.key_holder ? contactLine(s.key_holder) : undefined],
  ];
  return rows.filter((r): r is [string, Safe | string] => r[1] !== undefined && r[1] !== '');
}

/** The label/value rows of one site on the sheet: only what is given (an empty row helps nobody in the field). */
export function siteRows(lang: Lang, s: SheetSite, siteNames: ReadonlyMap<string, string>, groupLabel?: string): Array<[string, Safe | string]> {
  const L = (k: string) => label(lang, k);
  const rows: Array<[string, Safe | string | undefined]> = [
    [L('sheet_site_kind'), L(`site_kind_${s.kind}`)],
    [groupLabel ?? L('group'), s.group],
    [L('sheet_village'), s.village],
    [L('location'), s.lat !== undefined && s.lon !== undefined ? `${s.lat}, ${s.lon}` : undefined],
    [L('uplink'), s.uplink ? L(`uplink_${s.uplink}`) : undefined],
    [L('sheet_router_address'), s.host],
    [L('sheet_wan'), s.wan_interface],
    ...fieldRows(lang, s),
    [L('contacts'), s.contacts.length ? html`<ul class="contacts">${s.contacts.map((c) => html`<li>${contactLine(c)}</li>`)}</ul>` : undefined],
    [L('sheet_parent'), s.parent ? `${siteNames.get(s.parent) ?? s.parent} (${s.parent})` : undefined],
    [L('sheet_in_service'), s.added],
    [L('sheet_id'), s.id],
  ];
  return rows.filter((r): r is [string, Safe | string] => r[1] !== undefined && r[1] !== '');
}

export function communeSheet(input: SheetInput): string {
  const { lang } = input;
  const sites = [...input.sites].sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  const names = new Map(input.siteNames);
  for (const s of sites) names.set(s.id, s.name);
  // Whom to call: the commune first, then the wider levels, as escalation goes.
  const order: PlaceLevel[] = ['commune', 'group', 'province'];
  const areas = input.areas
    .filter((a) => a.level === 'commune' || a.level === 'province' ? areaCovers(a, input) : sites.some((s) => areaCovers(a, s)))
    .sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  const levelName = (level: PlaceLevel) => (level === 'group' ? input.groupLabel ?? t(lang, 'group') : label(lang, `level_${level}`, level));
  const title = t(lang, 'sheet_title', { commune: input.commune, province: input.province });
  const doc = html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · pointwatch</title><style>${raw(CSS)}</style></head>
<body>
${input.backHref ? html`<p class="noprint"><a href="${input.backHref}">${t(lang, 'sheet_back')}</a> · ${t(lang, 'sheet_print_hint')}</p>` : ''}
<h1>${title}</h1>
<p class="printed">${t(lang, 'sheet_printed', { time: formatPrinted(input.printedAt, input.timeZone) })}</p>
${areas.length ? html`<h2>${t(lang, 'sheet_whom_to_call')}</h2>
<table><tbody>${areas.map((a) => html`<tr><th scope="row">${levelName(a.level)}: ${a.name}</th><td><ul class="contacts">${a.contacts.map((c) => html`<li>${contactLine(c)}</li>`)}</ul></td></tr>`)}</tbody></table>` : ''}
<h2>${t(lang, 'sheet_sites', { n: sites.length })}</h2>
${sites.map((s) => html`<section class="site" id="site-${s.id}"><h3>${s.name}</h3><dl>${siteRows(lang, s, names, input.groupLabel).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>`)}
</body></html>
`;
  return doc.value;
}
