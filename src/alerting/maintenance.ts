/**
 * Maintenance windows: one-off (start..end) and recurring (a cron pattern + a duration, valid
 * between start and end), scoped to sites, communes or groups. Inside a window a site is
 * MAINTENANCE: no alert opens (resolved notices still go out) and the time is excluded from
 * availability. Planned power cuts published by the power company import from CSV
 * (`area,start,end[,reason]`).
 *
 * Cron patterns use node-cron's parser (5 fields, or 6 with seconds: seconds are ignored, the
 * matcher works per minute) and are read in the configured time zone (reports.timezone). When
 * both day-of-month and day-of-week are restricted, either matches (as in Vixie cron).
 */
import cron from 'node-cron';
import { parse as parseCsv } from 'csv-parse/sync';
import { Type, type Static } from '@sinclair/typebox';
import type { Site } from '../config/schema.js';
import { ambiguousNames, communeKey, communeRefMatches, createPlaceResolver, groupRefMatches, type Place, type PlaceResolver } from '../inventory/places.js';
import { Nullable } from '../core/schema.js';
import { InputError } from '../core/errors.js';
import { migrate, type Db } from '../store/sqlite.js';

/** A maintenance window as stored and as the API answers it (declared once, here). */
export const MaintenanceWindow = Type.Object({
  id: Type.Integer(),
  sites: Type.Array(Type.String()),
  communes: Type.Array(Type.String({ description: 'Province/Commune, or a plain name (any province)' })),
  groups: Type.Array(Type.String({ description: 'group refs, the same way (pre-reform district windows are read as groups)' })),
  start: Type.Number({ description: 'epoch ms. One-off: the window. Recurring: the span during which the recurrence applies' }),
  end: Type.Number({ description: 'epoch ms' }),
  cron: Nullable(Type.String({ description: "recurring windows: a cron pattern for each occurrence's start" })),
  duration_ms: Nullable(Type.Number({ description: 'recurring windows: how long each occurrence lasts' })),
  reason: Type.String(),
  created_by: Type.String(),
  created_at: Type.Number(),
  source: Type.String({ description: "'manual', or csv:<file name> for an imported schedule" }),
});
export type MaintenanceWindow = Static<typeof MaintenanceWindow>;

export type MaintenanceInput = Omit<MaintenanceWindow, 'id' | 'created_at' | 'cron' | 'duration_ms' | 'source'> &
  Partial<Pick<MaintenanceWindow, 'cron' | 'duration_ms' | 'source'>>;

// ---------------------------------------------------------------- time zones (no dependency)

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dtf(tz: string): Intl.DateTimeFormat {
  let f = dtfCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    dtfCache.set(tz, f);
  }
  return f;
}

/** Offset of `tz` from UTC at instant `ts`, in ms (Asia/Ho_Chi_Minh: +7 h). */
export function tzOffsetMs(tz: string, ts: number): number {
  const p = Object.fromEntries(dtf(tz).formatToParts(new Date(ts)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(ts / 1000) * 1000;
}

/** The instant of a wall-clock time in `tz` (two passes settle DST edges). */
export function zonedToEpoch(tz: string, y: number, mo: number, d: number, h: number, mi: number): number {
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  let t = naive - tzOffsetMs(tz, naive);
  t = naive - tzOffsetMs(tz, t);
  return t;
}

// ---------------------------------------------------------------- cron

export interface CronMatcher {
  pattern: string;
  /** Does an occurrence start at the minute containing local wall-clock `local` (a Date read in UTC)? */
  matchesLocal(local: Date): boolean;
}

/** Compile a cron pattern; throws an Error naming the bad field. */
export function compileCron(pattern: string): CronMatcher {
  const v = cron.validateDetailed(pattern);
  if (!v.valid) throw new Error(`invalid cron pattern '${pattern}': ${v.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
  const f = cron.parse(pattern);
  const minute = new Set(f.minute);
  const hour = new Set(f.hour);
  const month = new Set(f.month);
  const domLast = f.dayOfMonth.includes('L');
  const dom = new Set(f.dayOfMonth.filter((x): x is number => typeof x === 'number'));
  const dow = new Set(f.dayOfWeek.map((x) => (x === 7 ? 0 : x)).filter((x): x is number => typeof x === 'number'));
  const domRestricted = domLast || dom.size < 31;
  const dowRestricted = dow.size < 7;
  return {
    pattern,
    matchesLocal(local: Date): boolean {
      if (!minute.has(local.getUTCMinutes()) || !hour.has(local.getUTCHours()) || !month.has(local.getUTCMonth() + 1)) return false;
      const day = local.getUTCDate();
      const lastDay = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
      const domOk = dom.has(day) || (domLast && day === lastDay);
      const dowOk = dow.has(local.getUTCDay());
      if (domRestricted && dowRestricted) return domOk || dowOk;
      return domOk && dowOk;
    },
  };
}

const matcherCache = new Map<string, CronMatcher>();
function matcher(pattern: string): CronMatcher {
  let m = matcherCache.get(pattern);
  if (!m) {
    m = compileCron(pattern);
    matcherCache.set(pattern, m);
  }
  return m;
}

const MINUTE = 60_000;

/** Is window `w` in force at `ts`? (scope not considered) */
export function isWindowActive(w: Pick<MaintenanceWindow, 'start' | 'end' | 'cron' | 'duration_ms'>, ts: number, tz: string): boolean {
  if (ts < w.start || ts >= w.end) return false;
  if (!w.cron) return true;
  const m = matcher(w.cron);
  const duration = w.duration_ms ?? 0;
  // look back minute by minute for an occurrence that started less than `duration` ago
  let t = Math.floor(ts / MINUTE) * MINUTE;
  const earliest = Math.max(ts - duration, w.start - MINUTE);
  let offset = tzOffsetMs(tz, t);
  let offsetHour = Math.floor(t / 3_600_000);
  while (t > earliest) {
    const h = Math.floor(t / 3_600_000);
    if (h !== offsetHour) { offset = tzOffsetMs(tz, t); offsetHour = h; }
    if (t >= w.start - MINUTE && m.matchesLocal(new Date(t + offset))) return true;
    t -= MINUTE;
  }
  return false;
}

type ScopedSite = Pick<Site, 'id' | 'commune' | 'group' | 'province'>;

export function windowCovers(w: Pick<MaintenanceWindow, 'sites' | 'communes' | 'groups'>, site: ScopedSite): boolean {
  return w.sites.includes(site.id) || w.communes.some((c) => communeRefMatches(c, site)) || w.groups.some((g) => groupRefMatches(g, site));
}

/** Pure: is `site` inside any of `windows` at `ts`? */
export function inMaintenance(windows: readonly MaintenanceWindow[], site: ScopedSite, ts: number, tz: string): boolean {
  return windows.some((w) => windowCovers(w, site) && isWindowActive(w, ts, tz));
}

/** Problems with a window a person asks for (API and CSV), each naming the field. */
export function windowProblems(input: MaintenanceInput, known: { sites: Set<string>; places: readonly Place[] }): string[] {
  const out: string[] = [];
  if (!Number.isFinite(input.start) || !Number.isFinite(input.end)) out.push('start and end must be times');
  else if (input.end <= input.start) out.push(`end (${new Date(input.end).toISOString()}) must be after start (${new Date(input.start).toISOString()})`);
  if (input.sites.length + input.communes.length + input.groups.length === 0) out.push('scope: name at least one site, commune or group');
  for (const s of input.sites) if (!known.sites.has(s)) out.push(`sites: unknown site '${s}'`);
  const ambiguous = ambiguousNames(known.places);
  for (const c of input.communes) {
    if (!known.places.some((p) => communeRefMatches(c, p))) out.push(`communes: unknown commune '${c}'`);
    else if (ambiguous.has(c)) out.push(`communes: '${c}' is a commune in ${ambiguous.get(c)!.join(' and ')}: write Province/${c}`);
  }
  for (const g of input.groups) if (!known.places.some((p) => groupRefMatches(g, p))) out.push(`groups: unknown group '${g}'`);
  if (input.cron) {
    try { compileCron(input.cron); } catch (err) { out.push(`cron: ${(err as Error).message}`); }
    if (!input.duration_ms || input.duration_ms <= 0) out.push('duration: a recurring window needs a duration');
  }
  return out;
}

// ---------------------------------------------------------------- CSV: planned power cuts

/** Parse `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]` or `DD/MM/YYYY HH:MM` (local time in `tz` unless an offset is given). */
export function parseLocalDateTime(text: string, tz: string): number | null {
  const s = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  let y: number, mo: number, d: number, h: number, mi: number;
  if (m) {
    [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
    if (m[7]) {
      const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]!.padStart(2, '0')}:${m[5]}:${m[6] ?? '00'}${m[7]}`);
      return Number.isNaN(t) || !validParts(y, mo, d, h, mi) ? null : t;
    }
  } else {
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})$/.exec(s);
    if (!m) return null;
    [d, mo, y, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  }
  if (!validParts(y, mo, d, h, mi)) return null;
  return zonedToEpoch(tz, y, mo, d, h, mi);
}

function validParts(y: number, mo: number, d: number, h: number, mi: number): boolean {
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

const fold = (s: string) => s.normalize('NFC').trim().toLocaleLowerCase('vi');
const COLUMNS = ['area', 'start', 'end', 'reason', 'district'];

/**
 * Read a published planned-power-cut schedule: header `area,start,end` (optional `reason`, and
 * `district`: the former district, for schedules still written with pre-2025 names). `area` is a
 * commune of the inventory, by its current or a former name (case-insensitive, `xã`/`phường`
 * ignored; `Province/Commune` where a name repeats), or a group. Returns one window per row, or
 * throws InputError listing EVERY bad row as `<file>:<line>: column <name>: <problem>`.
 */
export function importPowerCutCsv(
  text: string,
  opts: { file: string; sites: readonly Place[]; communes?: Parameters<typeof createPlaceResolver>[1]; tz: string; created_by: string },
): MaintenanceInput[] {
  const problems: string[] = [];
  const where = (line: number, col?: string) => `${opts.file}:${line}:${col ? ` column ${col}:` : ''}`;
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parseCsv(text, { info: true, skip_empty_lines: true, trim: true, bom: true, relax_column_count: true }) as unknown as typeof rows;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new InputError(`${opts.file}: not a readable CSV`, [`${where(e.lines ?? 1)} ${e.message}`], { cause: err });
  }
  const cols = (rows.shift()?.record ?? []).map((x) => fold(x));
  for (const need of ['area', 'start', 'end']) {
    if (!cols.includes(need)) problems.push(`${where(1)} header: missing column '${need}' (expected area,start,end[,reason])`);
  }
  for (const c of cols) if (!COLUMNS.includes(c)) problems.push(`${where(1)} header: unknown column '${c}' (expected area,start,end[,reason][,district])`);
  if (problems.length) throw new InputError(`${opts.file}: bad header`, problems);

  const places: PlaceResolver = createPlaceResolver(opts.sites, opts.communes);
  const out: MaintenanceInput[] = [];
  for (const { record: fields, info } of rows) {
    const line = info.lines;
    const optionalReasonMissing = cols.at(-1) === 'reason' && fields.length === cols.length - 1 && !cols.includes('district');
    if (fields.length !== cols.length && !optionalReasonMissing) {
      problems.push(`${where(line)} ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${cols.length}`);
      continue;
    }
    const record: Record<string, string> = Object.fromEntries(cols.map((c, i) => [c, fields[i] ?? '']));
    const area = record.area ?? '';
    const input: MaintenanceInput = {
      sites: [], communes: [], groups: [], start: NaN, end: NaN,
      reason: record.reason || 'planned power cut', created_by: opts.created_by, source: `csv:${opts.file.split('/').pop()}`,
    };
    let ok = true;
    if (!area) { problems.push(`${where(line, 'area')} empty: name a commune or group`); ok = false; }
    else {
      const c = places.commune(area, { district: record.district });
      const g = places.groups(area);
      if (c.ok) input.communes.push(communeKey(c.place));
      else if (c.reason === 'unknown' && g.length) input.groups.push(...g);
      else if (c.reason === 'ambiguous') { problems.push(`${where(line, 'area')} ${c.message}`); ok = false; }
      else { problems.push(`${where(line, 'area')} '${area}' is neither a commune (current or former) nor a group of the inventory`); ok = false; }
    }
    for (const col of ['start', 'end'] as const) {
      const raw = record[col] ?? '';
      const t = parseLocalDateTime(raw, opts.tz);
      if (t === null) { problems.push(`${where(line, col)} '${raw}' is not a date and time (use YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM, local time)`); ok = false; }
      else input[col] = t;
    }
    if (ok && input.end <= input.start) { problems.push(`${where(line, 'end')} '${record.end}' is not after start '${record.start}'`); ok = false; }
    if (ok) out.push(input);
  }
  if (problems.length) throw new InputError(`${opts.file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  return out;
}

// ---------------------------------------------------------------- storage (SQLite)

export const MAINTENANCE_MIGRATIONS = [
  `CREATE TABLE alert_maintenance (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     sites TEXT NOT NULL DEFAULT '[]',
     communes TEXT NOT NULL DEFAULT '[]',
     districts TEXT NOT NULL DEFAULT '[]',
     start_ms INTEGER NOT NULL,
     end_ms INTEGER NOT NULL,
     cron TEXT,
     duration_ms INTEGER,
     reason TEXT NOT NULL DEFAULT '',
     created_by TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     source TEXT NOT NULL DEFAULT 'manual',
     CHECK (end_ms > start_ms)
   );
   CREATE INDEX alert_maintenance_end ON alert_maintenance(end_ms);`,
  // 2025 reform: windows on districts are windows on the group of that name
  `ALTER TABLE alert_maintenance RENAME COLUMN districts TO groups;`,
];

interface Row {
  id: number; sites: string; communes: string; groups: string; start_ms: number; end_ms: number;
  cron: string | null; duration_ms: number | null; reason: string; created_by: string; created_at: number; source: string;
}

const fromRow = (r: Row): MaintenanceWindow => ({
  id: r.id, sites: JSON.parse(r.sites), communes: JSON.parse(r.communes), groups: JSON.parse(r.groups),
  start: r.start_ms, end: r.end_ms, cron: r.cron, duration_ms: r.duration_ms, reason: r.reason,
  created_by: r.created_by, created_at: r.created_at, source: r.source,
});

/** Windows in SQLite, with an in-memory copy for the hot path (`isInMaintenance` per site per check). */
export class MaintenanceStore {
  private cache: MaintenanceWindow[] | null = null;

  constructor(private readonly db: Db, private readonly tz: string) {
    migrateMaintenance(db);
  }

  list(): MaintenanceWindow[] {
    if (!this.cache) this.cache = (this.db.prepare('SELECT * FROM alert_maintenance ORDER BY start_ms, id').all() as Row[]).map(fromRow);
    return this.cache;
  }

  get(id: number): MaintenanceWindow | null {
    return this.list().find((w) => w.id === id) ?? null;
  }

  create(input: MaintenanceInput, at: number): MaintenanceWindow {
    return this.createMany([input], at)[0]!;
  }

  /** All or nothing (one transaction): an imported schedule lands whole. */
  createMany(inputs: readonly MaintenanceInput[], at: number): MaintenanceWindow[] {
    const ins = this.db.prepare(`INSERT INTO alert_maintenance (sites, communes, groups, start_ms, end_ms, cron, duration_ms, reason, created_by, created_at, source)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const ids = this.db.transaction(() => inputs.map((i) => Number(ins.run(
      JSON.stringify(i.sites), JSON.stringify(i.communes), JSON.stringify(i.groups), i.start, i.end,
      i.cron ?? null, i.duration_ms ?? null, i.reason, i.created_by, at, i.source ?? 'manual',
    ).lastInsertRowid)))();
    this.cache = null;
    return ids.map((id) => this.get(id)!);
  }

  delete(id: number): boolean {
    const r = this.db.prepare('DELETE FROM alert_maintenance WHERE id = ?').run(id);
    this.cache = null;
    return r.changes > 0;
  }

  /** Is `site` in a window at `ts`? */
  isInMaintenance(site: ScopedSite, ts: number): boolean {
    return inMaintenance(this.list(), site, ts, this.tz);
  }

  /** Windows in force at `ts` (evaluate once per batch, then test scope per site). */
  activeAt(ts: number): MaintenanceWindow[] {
    return this.list().filter((w) => isWindowActive(w, ts, this.tz));
  }
}

export function migrateMaintenance(db: Db): void {
  migrate(db, 'alerting-maintenance', MAINTENANCE_MIGRATIONS);
}
