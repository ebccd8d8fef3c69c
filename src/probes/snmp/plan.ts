/**
 * The SNMP poll plan (pure, no IO): what a poll of a site asks for, steady poll vs full walk, and what
 * a poll teaches for the next one. probe.ts sends the requests; plan.test.ts drives this file
 * through the fake client (fake-client.ts) on captured agents.
 *
 * - Full walk (first poll, every `full_walk_every`-th, after a reboot or a table that changed): every
 *   IF-MIB column walked to its end; v2c/v3 start with ONE GETBULK carrying the system scalars and
 *   ifNumber.0 as non-repeaters, v1 with a GET of them.
 * - Steady poll (after a full walk that saw every column's end, while ifNumber.0 stays the same):
 *   v2c/v3 ONE GETBULK, sysUpTime.0 and ifNumber.0 as non-repeaters, as many repetitions per column
 *   as the full walk found rows; no 32-bit octets when every row had HC counters; no name columns or
 *   system strings (kept from the last full walk).
 */
import { IF_NUMBER, IF_TABLE, IF_X_TABLE, SYSTEM, type IfColumn } from './oids.js';
import type { InterfaceCounters } from '../../core/types.js';
import { T, text, type ColumnRows, type Vb } from './decode.js';
import type { ColumnWalk } from './walk.js';

/** Non-repeaters of a combined GETBULK: the GETNEXT of each of these gives sysDescr.0 … ifNumber.0. */
export const SYSTEM_OIDS: readonly string[] = [SYSTEM.sysDescr, SYSTEM.sysObjectID, SYSTEM.sysUpTime, SYSTEM.sysName];
export const NON_REPEATERS: readonly string[] = [...SYSTEM_OIDS, IF_NUMBER];
const NON_REPEATERS_NEXT: readonly string[] = NON_REPEATERS.map((oid) => oid.slice(0, -2));
/** Non-repeaters of a steady GETBULK: sysUpTime.0 (reboots) and ifNumber.0 (a changed table). */
export const STEADY_SYSTEM_OIDS: readonly string[] = [SYSTEM.sysUpTime];
export const STEADY_NON_REPEATERS: readonly string[] = [...STEADY_SYSTEM_OIDS, IF_NUMBER];
const STEADY_NON_REPEATERS_NEXT: readonly string[] = STEADY_NON_REPEATERS.map((oid) => oid.slice(0, -2));

/** IF-MIB columns read: v1 (no Counter64), v2c/v3, and v2c/v3 once every row has shown HC counters. */
export const IF_COLUMNS_V1: readonly string[] = [...Object.values(IF_TABLE), IF_X_TABLE.ifName, IF_X_TABLE.ifHighSpeed];
export const IF_COLUMNS: readonly string[] = [...IF_COLUMNS_V1, IF_X_TABLE.ifHCInOctets, IF_X_TABLE.ifHCOutOctets];
export const OCTETS_32: readonly string[] = [IF_TABLE.ifInOctets, IF_TABLE.ifOutOctets];
const IF_COLUMNS_HC: readonly string[] = IF_COLUMNS.filter((c) => !OCTETS_32.includes(c));
/** Columns that name an interface: read by full walks only (see IfPlan.names). */
export const NAME_COLUMNS: readonly string[] = [IF_TABLE.ifDescr, IF_X_TABLE.ifName];
export const COLUMN_NAME: Record<string, IfColumn> = Object.fromEntries(
  (Object.entries({ ...IF_TABLE, ...IF_X_TABLE }) as Array<[IfColumn, string]>).map(([name, oid]) => [oid, name]),
);

/** Name columns kept between full walks, compact: per column a flat [ifIndex, type, value, …] list. */
export type CachedNames = Array<{ base: string; name: IfColumn; cells: unknown[] }>;

/** What the last full walk taught about a site's interface table. */
export interface IfPlan {
  /** ifNumber.0 at the last full walk (-1: unknown): while it stays the same, the table is taken to be unchanged. */
  ifNumber: number;
  /** The last full walk saw the end of every column (no cut): steady polls may stop at `rows` rows. */
  stable: boolean;
  /** Every row had HC counters: steady polls skip ifInOctets/ifOutOctets. */
  hc: boolean;
  /** Columns that had rows in the last full walk (a shared list). */
  present: readonly string[];
  /** What a steady poll asks for: the present columns, without the 32-bit octets when `hc`. */
  columns: readonly string[];
  /** sysUpTime at the last poll: when it goes back (a reboot) the next poll is a full walk. */
  uptime: number;
  /** Polls since the last full walk. */
  sinceFull: number;
  /** Most rows any column had in the last full walk: the size of the steady polls. */
  rows: number;
  /** Name columns and system strings of the last full walk: steady polls do not ask for them again. */
  names: CachedNames;
  system: { sys_name: string; sys_descr: string; sys_object_id: string } | null;
}

/** What a poll knows of its site before it starts (kept by the probe, per site). */
export interface SitePlan {
  version: '1' | '2c' | '3';
  ifPlan: IfPlan | null;
  /** v1 agent without ifNumber.0 (a GET with it fails as a whole): GET the system group alone. */
  noIfNumber: boolean;
  /** The agent answered a GETBULK with non-repeaters with an error: GET + walk from then on. */
  noCombinedBulk: boolean;
  /** Rows seen in the last walk of each vendor column: the next walk asks for one more. */
  lastRows: Map<string, number> | null;
}

export const newSitePlan = (version: SitePlan['version']): SitePlan => ({ version, ifPlan: null, noIfNumber: false, noCombinedBulk: false, lastRows: null });

/** The next interface poll is a steady one (else a full walk). */
export function isSteady(plan: IfPlan | null, fullWalkEvery: number): plan is IfPlan {
  return plan !== null && plan.stable && plan.rows > 0 && plan.sinceFull + 1 < fullWalkEvery;
}

/** Repetitions of a full walk's first GETBULK: the rows known + 1, within the varbind budget. */
export function firstRepetitions(plan: IfPlan | null, varbindBudget: number, maxRepetitions: number): number {
  const known = plan?.rows ?? -1;
  return Math.min(known >= 0 ? known + 1 : Infinity, Math.floor((varbindBudget - NON_REPEATERS.length) / IF_COLUMNS.length), maxRepetitions);
}

/** How many of a steady poll's columns go in the GETBULK with the non-repeaters (0: none; GET + walk instead). */
export function steadyCombined(plan: IfPlan, sp: SitePlan, varbindBudget: number, maxRepetitions: number): number {
  const n = plan.rows;
  const withSystem = Math.min(plan.columns.length, Math.floor((varbindBudget - STEADY_NON_REPEATERS.length) / n));
  return sp.version !== '1' && withSystem >= 1 && n <= maxRepetitions && !sp.noCombinedBulk ? withSystem : 0;
}

/** Groups of columns for one walk round: columns × repetitions within the budget (v1: one group). */
export function walkGroups<W>(open: readonly W[], v1: boolean, reps: number, varbindBudget: number): W[][] {
  const perRequest = v1 ? open.length : Math.max(1, Math.floor(varbindBudget / reps));
  const groups: W[][] = [];
  for (let i = 0; i < open.length; i += perRequest) groups.push(open.slice(i, i + perRequest));
  return groups;
}

const requestOids = new WeakMap<readonly string[], readonly string[]>();
const steadyRequestOids = new WeakMap<readonly string[], readonly string[]>();
/** The OIDs of a GETBULK with the non-repeaters first, built once per (shared) column list. */
export function withNonRepeaters(bases: readonly string[], steady: boolean): readonly string[] {
  const cache = steady ? steadyRequestOids : requestOids;
  let oids = cache.get(bases);
  if (!oids) { oids = [...(steady ? STEADY_NON_REPEATERS_NEXT : NON_REPEATERS_NEXT), ...bases]; cache.set(bases, oids); }
  return oids;
}

/** The walked columns by name; `names` (a steady poll's cached name columns) fill the ones not walked. */
export function toColumnRows(walks: readonly ColumnWalk[], names?: CachedNames): ColumnRows {
  const cols: ColumnRows = {};
  if (names) {
    for (const c of names) {
      const rows: Vb[] = [];
      for (let i = 0; i < c.cells.length; i += 3) rows.push({ oid: `${c.base}.${c.cells[i] as number}`, type: c.cells[i + 1] as number, value: c.cells[i + 2] });
      cols[c.name] = rows;
    }
  }
  for (const w of walks) {
    const name = COLUMN_NAME[w.base];
    if (name) cols[name] = w.rows;
  }
  return cols;
}

/** One shared array per distinct column list (a few per fleet): plans hold them, request OIDs are cached by them. */
const columnLists = new Map<string, readonly string[]>();
function shared(cols: readonly string[]): readonly string[] {
  const key = cols.join(' ');
  let list = columnLists.get(key);
  if (!list) { list = cols; columnLists.set(key, list); }
  return list;
}

/** The columns a steady poll asks for: the present ones, without the 32-bit octets when every row had HC counters. */
export const steadyColumns = (hc: boolean, present: readonly string[]) =>
  shared((hc ? IF_COLUMNS_HC : IF_COLUMNS).filter((c) => present.includes(c) && !NAME_COLUMNS.includes(c)));

/** ifNumber.0 when the agent gave a plausible one. */
export function readIfNumber(vb: Vb | undefined): number | undefined {
  return vb && vb.oid === IF_NUMBER && vb.type === T.Integer && typeof vb.value === 'number' && vb.value >= 0 && vb.value < 100_000 ? vb.value : undefined;
}

/** A poll may report `system` from these varbinds: GET answers as they are, GETNEXT answers past the object as noSuchObject. */
export function systemVarbinds(vbs: ReadonlyArray<Vb | Vb[] | undefined>, expected: readonly string[]): Vb[] {
  const out: Vb[] = [];
  for (let i = 0; i < expected.length; i++) {
    const vb = vbs[i];
    if (!vb || Array.isArray(vb)) continue;
    out.push(vb.oid === expected[i] ? vb : { oid: expected[i]!, type: T.NoSuchObject, value: null });
  }
  return out;
}

/**
 * The name columns of a walk, kept for the steady polls after it: values as strings, never the
 * Buffers net-snmp gave (slices that would keep each site's whole answer alive), no OID strings.
 */
export function nameRows(walks: readonly ColumnWalk[]): CachedNames {
  const out: CachedNames = [];
  for (const w of walks) {
    if (!NAME_COLUMNS.includes(w.base)) continue;
    const cells: unknown[] = [];
    const prefix = w.base.length + 1;
    for (const vb of w.rows) {
      const idx = vb.oid.length > prefix && vb.oid.charCodeAt(prefix - 1) === 46 ? Number(vb.oid.slice(prefix)) : NaN;
      if (!Number.isInteger(idx)) continue; // not a row decodeInterfaces would read
      cells.push(idx, vb.type, Buffer.isBuffer(vb.value) ? text(vb.value) : vb.value);
    }
    out.push({ base: w.base, name: COLUMN_NAME[w.base]!, cells: cells.slice() });
  }
  return out.slice();
}

export const maxRows = (walks: readonly ColumnWalk[]): number => {
  let rows = 0;
  for (const w of walks) if (w.rows.length > rows) rows = w.rows.length;
  return rows;
};

/** The plan a full walk leaves for the polls after it. */
export function planAfterFull(a: {
  v1: boolean; walks: readonly ColumnWalk[]; ifNumber: number | undefined; ifs: readonly InterfaceCounters[]; wasCut: boolean;
  uptime: number; system: IfPlan['system'];
}): IfPlan {
  const hc = !a.v1 && a.ifs.length > 0 && a.ifs.every((i) => i.counter_bits === 64);
  const present = shared(a.walks.filter((w) => w.rows.length > 0).map((w) => w.base));
  return {
    ifNumber: a.ifNumber ?? -1,
    // v1: steady only with ifNumber.0, which tells a steady poll that the table did not change
    stable: (!a.v1 || a.ifNumber !== undefined) && !a.wasCut && a.walks.every((w) => w.endSeen),
    hc, present, columns: steadyColumns(hc, present), sinceFull: 0, rows: maxRows(a.walks), uptime: a.uptime,
    names: nameRows(a.walks), system: a.system,
  };
}

/** What a steady poll changes in the plan (`resized`: it measured a changed table to its ends). */
export function updateAfterSteady(plan: IfPlan, a: { walks: readonly ColumnWalk[]; resized: boolean; wasCut: boolean; uptime: number }): void {
  const rows = maxRows(a.walks);
  if (a.wasCut || (!a.resized && rows > plan.rows) || a.uptime < plan.uptime) plan.stable = false;
  plan.rows = a.resized ? rows : Math.max(rows, plan.rows);
  plan.uptime = a.uptime;
  if (a.resized) plan.names = nameRows(a.walks);
}
