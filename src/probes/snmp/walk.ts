/**
 * Pure bookkeeping of a table walk: which rows each column has, where it goes next, when it is done.
 * The probe (index.ts) sends the requests; this file decides what the answers mean. No IO.
 */
import { T, type Vb } from './decode.js';

/**
 * Compare dotted OIDs numerically ('1.3.6.1.10' > '1.3.6.1.9'), without splitting or allocating:
 * the OIDs are read arc by arc, side by side. `from`: both are known to share their first `from`
 * characters, ending at an arc boundary (e.g. a column prefix 'x.y.'): start comparing there.
 */
export function compareOids(a: string, b: string, from = 0): number {
  const la = a.length, lb = b.length;
  let i = from, j = from;
  while (i < la && j < lb) {
    // skip leading zeros (never seen from agents, but '01' must equal '1')
    while (i < la - 1 && a.charCodeAt(i) === 48 && a.charCodeAt(i + 1) !== 46) i++;
    while (j < lb - 1 && b.charCodeAt(j) === 48 && b.charCodeAt(j + 1) !== 46) j++;
    let ei = i, ej = j;
    while (ei < la && a.charCodeAt(ei) !== 46) ei++;
    while (ej < lb && b.charCodeAt(ej) !== 46) ej++;
    // a longer arc is the larger number; same length: the first differing digit decides
    if (ei - i !== ej - j) return ei - i - (ej - j);
    for (let k = 0; k < ei - i; k++) {
      const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
      if (d !== 0) return d;
    }
    i = ei + 1;
    j = ej + 1;
  }
  // one is a prefix of the other: the shorter comes first
  const moreA = i < la, moreB = j < lb;
  return moreA === moreB ? 0 : moreA ? 1 : -1;
}

/** One column being walked. */
export interface ColumnWalk {
  /** Column OID (no instance), e.g. ifDescr '1.3.6.1.2.1.2.2.1.2'. */
  readonly base: string;
  /** `${base}.`: a varbind belongs to the column when its OID starts with this. */
  readonly prefix: string;
  /** OID to continue from (the last row read, or the base). */
  next: string;
  done: boolean;
  /** The column's end was seen (a varbind past it, or endOfMibView), as opposed to stopping at a row count. */
  endSeen: boolean;
  rows: Vb[];
  /** Set when the agent went backwards: `<oid> after <previous oid>`; the column stops there with the rows it has. */
  cut: string | null;
}

/** `${base}.` per column OID, made once (a poll starts ten or more walks; the columns are few). */
const prefixes = new Map<string, string>();

export function columnWalk(base: string): ColumnWalk {
  let prefix = prefixes.get(base);
  if (prefix === undefined) {
    prefix = `${base}.`;
    if (prefixes.size < 1024) prefixes.set(base, prefix);
  }
  return { base, prefix, next: base, done: false, endSeen: false, rows: [], cut: null };
}

/**
 * Take one answer's varbinds for a column (GETBULK repetitions or a GETNEXT's one varbind).
 * Rows in the column's subtree are kept in order; the first varbind outside it (or endOfMibView)
 * ends the column. An OID that does not follow the previous one (agents whose table changes while
 * it is walked) ends the column where it is, keeping the rows already read, and says so in `cut`.
 * `doneAt`: the column is also done once it holds that many rows (rows expected from ifNumber.0),
 * so no further request is needed just to see the end. Returns whether a row was added.
 */
export function absorb(s: ColumnWalk, vbs: readonly Vb[], doneAt?: number): boolean {
  let progressed = false;
  for (let k = 0; k < vbs.length && !s.done; k++) {
    const vb = vbs[k]!;
    if (vb.type === T.EndOfMibView || !vb.oid.startsWith(s.prefix)) { s.done = true; s.endSeen = true; break; }
    // Both are in the column's subtree: compare what follows the prefix (the first row follows the base).
    if (s.rows.length > 0 && compareOids(vb.oid, s.next, s.prefix.length) <= 0) { s.done = true; s.cut = `${vb.oid} after ${s.next}`; break; }
    s.rows.push(vb);
    s.next = vb.oid;
    progressed = true;
  }
  if (doneAt !== undefined && s.rows.length >= doneAt) s.done = true;
  return progressed;
}

/** The row index (last arc) of a varbind in a column, or -1. Reads the digits in place. */
export function rowIndex(oid: string, prefixLength: number): number {
  let n = 0;
  if (prefixLength >= oid.length) return -1;
  for (let i = prefixLength; i < oid.length; i++) {
    const c = oid.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return Number.isSafeInteger(n) ? n : -1;
}

/**
 * After a walk in which some columns were cut by out-of-order OIDs: a cut column that still has a
 * row for every index the other columns have is complete (nothing lost); one that lacks rows is a
 * problem, named with the column, the OIDs the agent sent, and the rows missing.
 * `names` maps a column OID to its MIB name for the message.
 */
export function cutProblems(walks: readonly ColumnWalk[], names: Readonly<Record<string, string>>): string[] {
  if (!walks.some((w) => w.cut)) return [];
  const all = new Set<number>();
  for (const w of walks) for (const vb of w.rows) { const i = rowIndex(vb.oid, w.prefix.length); if (i > 0) all.add(i); }
  const problems: string[] = [];
  for (const w of walks) {
    if (!w.cut) continue;
    const have = new Set<number>();
    for (const vb of w.rows) have.add(rowIndex(vb.oid, w.prefix.length));
    const missing = [...all].filter((i) => !have.has(i)).sort((a, b) => a - b);
    if (missing.length === 0) continue;
    const shown = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} and ${missing.length - 5} more` : missing.join(', ');
    problems.push(`${names[w.base] ?? w.base}: agent returned OIDs out of order (${w.cut}); no value for ifIndex ${shown}`);
  }
  return problems;
}
