/**
 * Rewriting an inventory written before the 2025 reform to the merged communes (pure). A mapping
 * CSV says where each old commune went: `old_commune,old_district,new_commune` with optional
 * `province`, `new_group` (keep a grouping, e.g. the former district) and `kind` (xa, phuong,
 * dac_khu). Each site's commune is replaced by its new one, its `district` dropped, and the new
 * commune's entry in `communes:` records the old name and district in `former_names`, so older
 * data, power-cut schedules and ISP records that still use the old names land on it.
 *
 * Nothing is half done: every problem is collected, and the caller writes only when there is none.
 */
import { parse } from 'csv-parse/sync';
import { COMMUNE_KINDS, type CommuneKind } from '../config/schema.js';
import { communeKey, foldName } from './places.js';

export const MAPPING_COLUMNS = ['old_commune', 'old_district', 'new_commune', 'province', 'new_group', 'kind'] as const;
const REQUIRED = ['old_commune', 'new_commune'] as const;

export interface MappingRow {
  /** 1-based line in the mapping CSV. */
  line: number;
  old_commune: string;
  old_district?: string;
  province?: string;
  new_commune: string;
  new_group?: string;
  kind?: CommuneKind;
}

/** Parse the mapping CSV; every bad row named as `file:line: column c: message`. */
export function parseMappingCsv(text: string, file: string): { rows: MappingRow[]; problems: string[] } {
  const problems: string[] = [];
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as never;
  } catch (err) {
    const e = err as Error & { lines?: number };
    return { rows: [], problems: [`${file}:${e.lines ?? 1}: not a readable CSV: ${e.message}`] };
  }
  const header = (records.shift()?.record ?? []).map((h) => h.toLowerCase());
  for (const h of header) if (!(MAPPING_COLUMNS as readonly string[]).includes(h)) problems.push(`${file}:1: unknown column '${h}' (known: ${MAPPING_COLUMNS.join(', ')})`);
  for (const r of REQUIRED) if (!header.includes(r)) problems.push(`${file}:1: missing column '${r}'`);
  if (problems.length) return { rows: [], problems };
  const rows: MappingRow[] = [];
  const seen = new Map<string, MappingRow>();
  for (const { record, info } of records) {
    const line = info.lines;
    if (record.length !== header.length) { problems.push(`${file}:${line}: ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${header.length}`); continue; }
    const cell = (c: string) => record[header.indexOf(c)]?.trim() || undefined;
    const row: MappingRow = { line, old_commune: cell('old_commune') ?? '', new_commune: cell('new_commune') ?? '' };
    for (const c of ['old_district', 'province', 'new_group'] as const) { const v = cell(c); if (v) row[c] = v; }
    let ok = true;
    for (const c of REQUIRED) if (!row[c]) { problems.push(`${file}:${line}: column ${c}: empty`); ok = false; }
    const kind = cell('kind');
    if (kind !== undefined) {
      if ((COMMUNE_KINDS as readonly string[]).includes(kind)) row.kind = kind as CommuneKind;
      else { problems.push(`${file}:${line}: column kind: '${kind}' is not one of ${COMMUNE_KINDS.join(', ')}`); ok = false; }
    }
    if (!ok) continue;
    const k = [row.province ?? '', row.old_district ?? '', row.old_commune].map(foldName).join('\u0000');
    const prev = seen.get(k);
    if (prev && (foldName(prev.new_commune) !== foldName(row.new_commune) || (prev.new_group ?? '') !== (row.new_group ?? ''))) {
      problems.push(`${file}:${line}: column new_commune: '${row.old_commune}'${row.old_district ? ` (${row.old_district})` : ''} already goes to '${prev.new_commune}' on line ${prev.line}`);
      continue;
    }
    seen.set(k, row);
    rows.push(row);
  }
  return { rows, problems };
}

export interface RemapProblem {
  /** Path in the inventory (for file:line:col). */
  path: Array<string | number>;
  message: string;
}

export interface RemapResult {
  /** The rewritten inventory (plain values), meaningful only when `problems` is empty. */
  value: Record<string, unknown>;
  problems: RemapProblem[];
  /** Worth a look, never blocking: mapping rows no site used, area contacts dropped. */
  warnings: string[];
  /** Sites whose commune changed. */
  moved: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Apply the mapping to a raw inventory (as read from YAML: `district:` or `group:` on sites).
 * A site is mapped by its commune, its district (when the row gives one) and its province (when
 * the row gives one). A site whose commune is no row's old commune stays where it is when that
 * commune is a current one (a row's new commune, or already in `communes:`); otherwise it is a
 * problem. So is a site two rows claim for different communes.
 */
export function remapInventory(raw: unknown, rows: readonly MappingRow[], opts: { mappingFile: string; keepGroup?: boolean }): RemapResult {
  const inv: Obj = isObj(raw) ? structuredClone(raw) : {};
  const sites = Array.isArray(inv.sites) ? (inv.sites as unknown[]) : [];
  const problems: RemapProblem[] = [];
  const warnings: string[] = [];
  const used = new Set<MappingRow>();
  const communes: Obj[] = Array.isArray(inv.communes) ? (inv.communes as Obj[]) : [];
  const current = new Set([
    ...rows.map((r) => foldName(r.new_commune)),
    ...communes.map((c) => foldName(str(c.name) ?? '')),
  ]);
  const entryFor = (province: string, name: string, kind?: CommuneKind): Obj => {
    let e = communes.find((c) => str(c.province) === province && foldName(str(c.name) ?? '') === foldName(name));
    if (!e) communes.push((e = { province, name, former_names: [] }));
    if (kind && !e.kind) e.kind = kind;
    if (!Array.isArray(e.former_names)) e.former_names = [];
    return e;
  };
  /**
   * No `district` after the remap. The group: the row's new_group; else, with keepGroup, the former
   * district; else none, except a group the site had on its own (not its former district).
   */
  const settleGroup = (s: Obj, row: MappingRow | undefined) => {
    const district = str(s.district);
    delete s.district;
    if (row?.new_group) s.group = row.new_group;
    else if (opts.keepGroup && district) s.group = district;
    else if (!opts.keepGroup && s.group !== undefined && row?.old_district !== undefined && foldName(str(s.group) ?? '') === foldName(row.old_district)) delete s.group;
  };
  const renamed = new Map<string, string>(); // old commune key → new commune name, for area contacts
  let moved = 0;
  sites.forEach((s, i) => {
    if (!isObj(s)) return;
    const province = str(s.province) ?? '';
    const commune = str(s.commune) ?? '';
    const district = str(s.district) ?? str(s.group);
    const where = `site '${str(s.id) ?? i}' (${[commune, district, province].filter(Boolean).join(', ')})`;
    const hits = rows.filter((r) =>
      foldName(r.old_commune) === foldName(commune)
      && (r.old_district === undefined || (district !== undefined && foldName(r.old_district) === foldName(district)))
      && (r.province === undefined || foldName(r.province) === foldName(province)));
    // a row naming the district wins over one that does not
    const best = hits.some((r) => r.old_district !== undefined) ? hits.filter((r) => r.old_district !== undefined) : hits;
    const targets = new Set(best.map((r) => `${foldName(r.new_commune)}\u0000${r.new_group ?? ''}`));
    if (targets.size > 1) {
      problems.push({ path: ['sites', i, 'commune'], message: `${where}: rows ${best.map((r) => r.line).join(', ')} of ${opts.mappingFile} map it to different communes (${[...new Set(best.map((r) => r.new_commune))].join(', ')}): give old_district or province` });
      return;
    }
    const row = best[0];
    if (!row) {
      if (!current.has(foldName(commune))) problems.push({ path: ['sites', i, 'commune'], message: `${where}: no row of ${opts.mappingFile} maps it, and '${commune}' is not a current commune` });
      else settleGroup(s, undefined);
      return;
    }
    used.add(row);
    const former: Obj = { name: commune, ...(district ? { district } : {}) };
    const entry = entryFor(province, row.new_commune, row.kind);
    const list = entry.former_names as Obj[];
    if (foldName(commune) !== foldName(row.new_commune) && !list.some((f) => foldName(str(f.name) ?? '') === foldName(commune) && (str(f.district) ?? '') === (district ?? ''))) list.push(former);
    renamed.set(communeKey({ province, commune }), row.new_commune);
    if (foldName(commune) !== foldName(row.new_commune)) moved++;
    s.commune = row.new_commune;
    settleGroup(s, row);
  });
  for (const r of rows) if (!used.has(r)) warnings.push(`${opts.mappingFile}:${r.line}: no site is in commune '${r.old_commune}'${r.old_district ? ` (${r.old_district})` : ''}`);

  // area contacts: a merged commune's contacts follow it; district offices were abolished (kept only with keepGroup)
  if (Array.isArray(inv.areas)) {
    const kept: unknown[] = [];
    for (const a of inv.areas as unknown[]) {
      if (!isObj(a)) { kept.push(a); continue; }
      if ((a.level === 'district' || a.level === 'group') && !opts.keepGroup) {
        warnings.push(`areas: contacts of ${a.level} '${str(a.name)}' dropped (no group level after the remap; give --keep-group to keep former districts as groups)`);
        continue;
      }
      if (a.level === 'district') a.level = 'group';
      if (a.level === 'commune') {
        const provinces = new Set(sites.filter(isObj).map((s) => str(s.province) ?? ''));
        const to = [...provinces].map((p) => renamed.get(communeKey({ province: str(a.province) ?? p, commune: str(a.name) ?? '' }))).find(Boolean);
        if (to && foldName(to) !== foldName(str(a.name) ?? '')) a.name = to;
      }
      kept.push(a);
    }
    inv.areas = kept;
  }
  if (communes.length) inv.communes = communes;
  return { value: inv, problems, warnings, moved };
}
