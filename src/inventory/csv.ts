/**
 * Inventory <-> CSV, for commune staff who keep their lists in spreadsheets. Pure.
 * One row per site; nested fields are flattened (snmp_*), lists joined with ';',
 * a contact as `name|phone|zalo|email|lang|role`. Export then import gives the same sites.
 * `group` (the optional level between province and commune) may be left out of the sheet;
 * a `district` column (sheets from before the 2025 reform) is read as `group`.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Contact, Site } from '../config/schema.js';

/** What commune staff need in the field: one flat column per nested value (`sim.number` is `sim_number`). */
const FIELD_COLUMNS = [
  'sim_number', 'sim_carrier', 'isp', 'isp_account', 'bandwidth_down_mbps', 'bandwidth_up_mbps', 'power', 'key_holder',
  'router_model', 'router_serial',
] as const;

export const CSV_COLUMNS = [
  'id', 'name', 'kind', 'province', 'group', 'commune', 'village', 'lat', 'lon', 'host',
  'snmp_version', 'snmp_community', 'snmp_port', 'snmp_user', 'snmp_auth_protocol', 'snmp_auth_key',
  'snmp_priv_protocol', 'snmp_priv_key', 'parent', 'uplink', 'vendor', 'wan_interface', 'contacts', 'tags', 'added',
  ...FIELD_COLUMNS,
  'push_interval_s',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
/** Sheets from before the 2025 reform: their `district` column is read as `group`. */
const LEGACY_GROUP_COLUMN = 'district';
const CONTACT_FIELDS = ['name', 'phone', 'zalo', 'email', 'lang', 'role'] as const;

function contactToCell(c: Contact): string {
  const parts = CONTACT_FIELDS.map((k) => String(c[k] ?? ''));
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.join('|');
}

function contactFromCell(cell: string): Record<string, string> {
  const parts = cell.split('|').map((p) => p.trim());
  const c: Record<string, string> = {};
  CONTACT_FIELDS.forEach((k, i) => { if (parts[i]) c[k] = parts[i]!; });
  return c;
}

export function siteToRow(s: Site): Record<Column, string> {
  const snmp = s.snmp;
  const v3 = snmp && snmp.version === '3' ? snmp : null;
  const v12 = snmp && snmp.version !== '3' ? snmp : null;
  return {
    id: s.id, name: s.name, kind: s.kind, province: s.province, group: s.group ?? '', commune: s.commune,
    village: s.village ?? '', lat: s.lat?.toString() ?? '', lon: s.lon?.toString() ?? '', host: s.host ?? '',
    snmp_version: snmp ? snmp.version : 'none',
    snmp_community: v12?.community ?? '',
    snmp_port: snmp && snmp.port !== undefined ? String(snmp.port) : '',
    snmp_user: v3?.user ?? '',
    snmp_auth_protocol: v3?.auth?.protocol ?? '', snmp_auth_key: v3?.auth?.key ?? '',
    snmp_priv_protocol: v3?.priv?.protocol ?? '', snmp_priv_key: v3?.priv?.key ?? '',
    parent: s.parent ?? '', uplink: s.uplink ?? '', vendor: s.vendor ?? '', wan_interface: s.wan_interface ?? '',
    contacts: s.contacts.map(contactToCell).join('; '),
    tags: s.tags.join('; '),
    added: s.added ?? '',
    sim_number: s.sim?.number ?? '', sim_carrier: s.sim?.carrier ?? '',
    isp: s.isp?.name ?? '', isp_account: s.isp?.account ?? '',
    bandwidth_down_mbps: s.bandwidth?.down_mbps?.toString() ?? '', bandwidth_up_mbps: s.bandwidth?.up_mbps?.toString() ?? '',
    power: (s.power ?? []).join('; '),
    key_holder: s.key_holder ? contactToCell(s.key_holder) : '',
    router_model: s.router?.model ?? '', router_serial: s.router?.serial ?? '',
    push_interval_s: s.push ? String(s.push.interval_s) : '',
  };
}

export function sitesToCsv(sites: readonly Site[]): string {
  return stringify(sites.map(siteToRow), { header: true, columns: [...CSV_COLUMNS] });
}

export interface CsvRowProblem {
  /** 1-based line in the CSV file. */
  line: number;
  column?: string;
  message: string;
}

function num(v: string): number | string {
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}

/** Rebuild the nested site object from a row; values are left for the schema to judge. */
export function rowToSite(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => { if (v !== '' && v !== undefined) out[k] = v; };
  set('group', (row.group ?? row[LEGACY_GROUP_COLUMN])?.trim());
  for (const k of ['id', 'name', 'kind', 'province', 'commune', 'village', 'host', 'parent', 'uplink', 'vendor', 'wan_interface', 'added']) set(k, row[k]?.trim());
  set('lat', row.lat ? num(row.lat) : '');
  // a push site (no host): its router reports every push_interval_s (optional column)
  if (row.push_interval_s?.trim()) out.push = { interval_s: num(row.push_interval_s.trim()) };
  set('lon', row.lon ? num(row.lon) : '');
  const version = (row.snmp_version ?? '').trim();
  if (version === '' || version === 'none' || version === 'false') out.snmp = false;
  else {
    const snmp: Record<string, unknown> = { version };
    if (row.snmp_port) snmp.port = num(row.snmp_port);
    if (version === '3') {
      if (row.snmp_user) snmp.user = row.snmp_user;
      if (row.snmp_auth_protocol || row.snmp_auth_key) snmp.auth = { protocol: row.snmp_auth_protocol, key: row.snmp_auth_key };
      if (row.snmp_priv_protocol || row.snmp_priv_key) snmp.priv = { protocol: row.snmp_priv_protocol, key: row.snmp_priv_key };
    } else if (row.snmp_community) snmp.community = row.snmp_community;
    out.snmp = snmp;
  }
  out.contacts = (row.contacts ?? '').split(';').map((c) => c.trim()).filter(Boolean).map(contactFromCell);
  out.tags = (row.tags ?? '').split(';').map((t) => t.trim()).filter(Boolean);
  // Field details: a nested value only when one of its cells is filled (an empty column imports nothing).
  const group = (key: string, cells: Record<string, unknown>) => {
    const filled = Object.entries(cells).filter(([, v]) => v !== '' && v !== undefined);
    if (filled.length) out[key] = Object.fromEntries(filled);
  };
  const cell = (k: string) => row[k]?.trim() ?? '';
  group('sim', { number: cell('sim_number'), carrier: cell('sim_carrier') });
  group('isp', { name: cell('isp'), account: cell('isp_account') });
  group('bandwidth', { down_mbps: cell('bandwidth_down_mbps') && num(cell('bandwidth_down_mbps')), up_mbps: cell('bandwidth_up_mbps') && num(cell('bandwidth_up_mbps')) });
  const power = cell('power').split(';').map((p) => p.trim()).filter(Boolean);
  if (power.length) out.power = power;
  if (cell('key_holder')) out.key_holder = contactFromCell(cell('key_holder'));
  group('router', { model: cell('router_model'), serial: cell('router_serial') });
  return out;
}

/** Parse CSV text into raw site objects, with the CSV line of each; structural problems named by line/column. */
export function parseSitesCsv(text: string): { rows: Array<{ line: number; site: Record<string, unknown> }>; problems: CsvRowProblem[] } {
  const problems: CsvRowProblem[] = [];
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, info: true, trim: false, relax_column_count: false }) as never;
  } catch (err) {
    const e = err as { lines?: number; message: string };
    return { rows: [], problems: [{ line: e.lines ?? 1, message: e.message }] };
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0]!.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  for (const h of header) if (!(CSV_COLUMNS as readonly string[]).includes(h) && h !== LEGACY_GROUP_COLUMN) problems.push({ line: 1, column: h, message: `unknown column '${h}' (known: ${CSV_COLUMNS.join(', ')})` });
  if (header.includes('group') && header.includes(LEGACY_GROUP_COLUMN)) problems.push({ line: 1, column: LEGACY_GROUP_COLUMN, message: `give a 'group' or a 'district' column (its former name), not both` });
  for (const required of ['id', 'name', 'kind', 'province', 'commune', 'host']) {
    if (!header.includes(required)) problems.push({ line: 1, column: required, message: `missing column '${required}'` });
  }
  return { rows: records.map((r) => ({ line: r.info.lines, site: rowToSite(r.record) })), problems };
}
