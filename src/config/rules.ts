/**
 * Cross-field rules the schema cannot express. Pure: each returns problems with the path of the
 * field to blame; `warning: true` ones are reported but do not stop pointwatch.
 */
import { compileCron } from '../alerting/maintenance.js';
import type { AreaContacts, Commune, Inventory, Settings, Site } from './schema.js';
import type { Problem } from './validate.js';
import { parentCycles } from '../inventory/graph.js';
import { ambiguousNames, areaCovers, communeKey, type Place } from '../inventory/places.js';
import { parseDuration } from '../core/duration.js';

export interface RuleProblem extends Problem {
  warning?: boolean;
}

/**
 * An inventory as the rules see it: checked in the same pass as the schema, so a field the schema
 * refused (or that is missing) is absent here, and its problem comes from the schema.
 */
export interface InventoryForRules {
  sites: Array<Partial<Site>>;
  areas: Array<Partial<AreaContacts>>;
  communes?: Array<Partial<Commune>>;
}

export function inventoryRules(inv: InventoryForRules | Inventory): RuleProblem[] {
  const out: RuleProblem[] = [];
  const firstIndex = new Map<string, number>();
  inv.sites.forEach((s, i) => {
    if (s.id === undefined) return;
    const prev = firstIndex.get(s.id);
    if (prev !== undefined) out.push({ path: ['sites', i, 'id'], message: `duplicate site id '${s.id}' (also sites[${prev}])` });
    else firstIndex.set(s.id, i);
  });
  inv.sites.forEach((s, i) => {
    if (s.parent === undefined) return;
    if (s.parent === s.id) out.push({ path: ['sites', i, 'parent'], message: `a site cannot be its own parent` });
    else if (!firstIndex.has(s.parent)) out.push({ path: ['sites', i, 'parent'], message: `parent '${s.parent}' is not the id of any site` });
  });
  const linked = (inv.sites as Array<Partial<Site>>).filter((s): s is Partial<Site> & { id: string } => s.id !== undefined && s.parent !== s.id);
  for (const cycle of parentCycles(linked)) {
    const i = firstIndex.get(cycle[0]!)!;
    out.push({ path: ['sites', i, 'parent'], message: `parent cycle: ${cycle.join(' -> ')}` });
  }
  const hostPorts = new Map<string, number>();
  inv.sites.forEach((s, i) => {
    if (s.snmp && s.snmp.version === '3') {
      if (s.snmp.priv && !s.snmp.auth) out.push({ path: ['sites', i, 'snmp', 'priv'], message: 'SNMPv3 priv needs auth as well (authPriv)' });
      for (const k of ['auth', 'priv'] as const) {
        const part = s.snmp[k];
        if (part && part.key.length < 8) out.push({ path: ['sites', i, 'snmp', k, 'key'], message: `SNMPv3 ${k} key must be at least 8 characters` });
      }
    }
    if (s.host === undefined && s.push === undefined) out.push({ path: ['sites', i, 'host'], message: 'give a host to poll, or push: { interval_s } for a router that reports in' });
    if (s.host === undefined && s.snmp !== false) out.push({ path: ['sites', i, 'snmp'], message: 'SNMP needs a host: a push-only site has snmp: false (or none)' });
    if ((s.lat === undefined) !== (s.lon === undefined)) out.push({ path: ['sites', i, s.lat === undefined ? 'lat' : 'lon'], message: 'give both lat and lon, or neither' });
    if (s.host === undefined) return;
    const key = `${s.host}:${s.snmp ? (s.snmp.port ?? 161) : 'icmp'}`;
    const prev = hostPorts.get(key);
    if (prev !== undefined) out.push({ path: ['sites', i, 'host'], message: `same host and port as sites[${prev}] (${inv.sites[prev]!.id}): both will poll one device`, warning: true });
    else hostPorts.set(key, i);
  });
  // Sites the schema refused a place field of are left out of the area checks (their problem is reported).
  const placed = (inv.sites as Array<Partial<Site>>).filter((s): s is Partial<Site> & Place => s.province !== undefined && s.commune !== undefined);
  const ambiguous = ambiguousNames(placed);
  inv.areas.forEach((a, i) => {
    if (a.level === undefined || a.name === undefined) return;
    const area = { level: a.level, name: a.name, province: a.province };
    if (!placed.some((s) => areaCovers(area, s))) out.push({ path: ['areas', i, 'name'], message: `no site is in ${a.level} '${a.name}'${a.province ? ` of ${a.province}` : ''}`, warning: true });
    else if (a.level === 'commune' && !a.province && ambiguous.has(a.name)) {
      out.push({ path: ['areas', i, 'name'], message: `commune '${a.name}' is in ${ambiguous.get(a.name)!.join(' and ')}: give its province (or write Province/${a.name})` });
    }
  });
  // the communes section: one entry per commune; a former name that is also a current commune is read as the current one
  const entries = new Map<string, number>();
  const current = new Set(placed.map((x) => communeKey(x)));
  (inv.communes ?? []).forEach((c: Partial<Commune>, i) => {
    const { province, name } = c;
    if (province === undefined || name === undefined) return; // refused by the schema: reported there
    const k = communeKey({ province, commune: name });
    const prev = entries.get(k);
    if (prev !== undefined) out.push({ path: ['communes', i, 'name'], message: `commune '${c.name}' of ${c.province} is already described in communes[${prev}]` });
    else entries.set(k, i);
    if (!current.has(k)) out.push({ path: ['communes', i, 'name'], message: `no site is in commune '${c.name}' of ${c.province}`, warning: true });
    (c.former_names ?? []).forEach((f, j) => {
      const same = communeKey({ province: f.province ?? province, commune: f.name });
      if (same !== k && current.has(same)) out.push({ path: ['communes', i, 'former_names', j, 'name'], message: `'${f.name}' is also a current commune of ${f.province ?? province}: records with that name land on it, not on '${name}'`, warning: true });
    });
  });
  return out;
}

export function settingsRules(s: Settings): RuleProblem[] {
  const out: RuleProblem[] = [];
  const names = new Map<string, number>();
  s.notifiers.forEach((n, i) => {
    if (names.has(n.name)) out.push({ path: ['notifiers', i, 'name'], message: `duplicate notifier name '${n.name}'` });
    names.set(n.name, i);
  });
  s.notifiers.forEach((n, i) => {
    if (n.type === 'zalo' && n.fallback !== undefined) {
      if (!names.has(n.fallback)) out.push({ path: ['notifiers', i, 'fallback'], message: `fallback '${n.fallback}' is not the name of a notifier` });
      else if (n.fallback === n.name) out.push({ path: ['notifiers', i, 'fallback'], message: 'a notifier cannot be its own fallback' });
    }
  });
  const { start, end } = s.reports.service_hours;
  if (start === end) out.push({ path: ['reports', 'service_hours'], message: 'start and end are the same: service hours would be empty' });
  try {
    new Intl.DateTimeFormat('en', { timeZone: s.reports.timezone });
  } catch {
    out.push({ path: ['reports', 'timezone'], message: `unknown time zone '${s.reports.timezone}'` });
  }
  const r = s.influx.retention;
  const raw = parseDuration(r.raw);
  if (parseDuration(r.rollup_5m) < raw) out.push({ path: ['influx', 'retention', 'rollup_5m'], message: 'keeps 5-minute rollups for less time than raw data', warning: true });
  if (parseDuration(r.rollup_1h) < parseDuration(r.rollup_5m)) out.push({ path: ['influx', 'retention', 'rollup_1h'], message: 'keeps 1-hour rollups for less time than 5-minute rollups', warning: true });
  if (parseDuration(r.resample_for) > raw) out.push({ path: ['influx', 'retention', 'resample_for'], message: 'must not be longer than the raw retention' });
  let prev = 0;
  s.alerting.escalation.forEach((e, i) => {
    const d = parseDuration(e.after);
    if (d <= prev) out.push({ path: ['alerting', 'escalation', i, 'after'], message: 'escalation steps must come in increasing order of time' });
    prev = d;
  });
  for (const k of ['still_down', 'weekly', 'monthly'] as const) {
    try { compileCron(s.scheduled_reports[k]); } catch (e) { out.push({ path: ['scheduled_reports', k], message: (e as Error).message }); }
  }
  for (const [k, type] of [['email', 'email'], ['telegram', 'telegram'], ['zalo', 'zalo']] as const) {
    const name = s.scheduled_reports[k];
    if (name !== undefined && !s.notifiers.some((n) => n.type === type && n.name === name)) out.push({ path: ['scheduled_reports', k], message: `'${name}' is not the name of a ${type} notifier` });
  }
  if (s.scheduled_reports.enabled && !s.notifiers.some((n) => n.type === 'email' || n.type === 'telegram')) {
    out.push({ path: ['scheduled_reports', 'enabled'], message: 'no email or telegram notifier: scheduled reports would reach nobody', warning: true });
  }
  if (s.poller.snmp.timeout_ms * (s.poller.snmp.retries + 1) >= s.poller.snmp.system_interval_s * 1000) {
    out.push({ path: ['poller', 'snmp', 'timeout_ms'], message: 'timeout × (retries + 1) is longer than the SNMP interval: a dead agent would overrun every cycle' });
  }
  return out;
}
