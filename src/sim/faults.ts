/**
 * The fault spec of `pointwatch simulate --faults`, parsed and assigned to sites. Pure.
 *
 *   SPEC  := ITEM ("," ITEM)*
 *   ITEM  := KIND [":" PARAM] [ "=" COUNT | "@" SITE_ID ]
 *
 * e.g. `down=2,slow:4000@sim-0003,lossy:0.3=1,reboot:20,wrap:8=2,flapping:15`.
 * PARAM: flapping period_s, slow delay_ms, reboot after_s, wrap after_s, lossy drop probability.
 * Without `=COUNT` or `@SITE` an item takes one site. Counted items take sites from the END of
 * the fleet (the last sites), so that `--sites 20 --faults down=2` leaves sim-0001.. healthy.
 */
import { InputError } from '../core/errors.js';
import { FAULT_KINDS, type Fault, type FaultKind } from './model.js';

export interface FaultItem {
  fault: Fault;
  count?: number;
  site?: string;
}

export function defaultFault(kind: FaultKind): Fault {
  switch (kind) {
    case 'down': return { kind };
    case 'flapping': return { kind, period_s: 10 };
    case 'slow': return { kind, delay_ms: 8000 };
    case 'reboot': return { kind, after_s: 0 };
    case 'wrap': return { kind, after_s: 5 };
    case 'lossy': return { kind, p: 0.5 };
  }
}

/** One fault, from `KIND[:PARAM]`. Throws InputError naming the bad part. */
export function parseFault(text: string, where = '--faults'): Fault {
  const [kindRaw, paramRaw, ...rest] = text.trim().split(':');
  const kind = (kindRaw ?? '').trim() as FaultKind;
  if (!FAULT_KINDS.includes(kind)) {
    throw new InputError(`${where}: unknown fault "${kindRaw}" (expected one of ${FAULT_KINDS.join(', ')})`);
  }
  if (rest.length) throw new InputError(`${where}: "${text}" has more than one ":PARAM"`);
  const f = defaultFault(kind);
  if (paramRaw === undefined || paramRaw === '') return f;
  const n = Number(paramRaw);
  if (!Number.isFinite(n) || n < 0) throw new InputError(`${where}: "${text}": parameter must be a non-negative number`);
  switch (f.kind) {
    case 'down':
      throw new InputError(`${where}: "${text}": down takes no parameter`);
    case 'flapping':
      if (n < 1) throw new InputError(`${where}: "${text}": flapping period must be at least 1 s`);
      return { kind: 'flapping', period_s: n };
    case 'slow':
      return { kind: 'slow', delay_ms: n };
    case 'reboot':
      return { kind: 'reboot', after_s: n };
    case 'wrap':
      return { kind: 'wrap', after_s: n };
    case 'lossy':
      if (n > 1) throw new InputError(`${where}: "${text}": lossy probability must be between 0 and 1`);
      return { kind: 'lossy', p: n };
  }
}

export function parseFaultSpec(spec: string | undefined): FaultItem[] {
  if (!spec || !spec.trim()) return [];
  return spec.split(',').map((raw) => {
    const item = raw.trim();
    const at = item.indexOf('@');
    const eq = item.indexOf('=');
    if (at >= 0) {
      const site = item.slice(at + 1).trim();
      if (!site) throw new InputError(`--faults: "${item}": missing site id after @`);
      return { fault: parseFault(item.slice(0, at)), site };
    }
    if (eq >= 0) {
      const count = Number(item.slice(eq + 1));
      if (!Number.isInteger(count) || count < 1) throw new InputError(`--faults: "${item}": count must be a positive integer`);
      return { fault: parseFault(item.slice(0, eq)), count };
    }
    return { fault: parseFault(item), count: 1 };
  });
}

/** Assign parsed items to site ids: explicit sites first, then counts from the end of the fleet. */
export function assignFaults(items: FaultItem[], siteIds: string[]): Map<string, Fault> {
  const out = new Map<string, Fault>();
  for (const it of items) {
    if (it.site) {
      if (!siteIds.includes(it.site)) throw new InputError(`--faults: unknown site "${it.site}"`);
      out.set(it.site, it.fault);
    }
  }
  let next = siteIds.length - 1;
  for (const it of items) {
    if (it.site) continue;
    for (let k = 0; k < (it.count ?? 1); k++) {
      while (next >= 0 && out.has(siteIds[next]!)) next--;
      if (next < 0) throw new InputError(`--faults: more faulty sites requested than the fleet has (${siteIds.length})`);
      out.set(siteIds[next]!, it.fault);
    }
  }
  return out;
}

export function formatFault(f: Fault | null): string {
  if (!f) return 'healthy';
  switch (f.kind) {
    case 'down': return 'down';
    case 'flapping': return `flapping:${f.period_s}`;
    case 'slow': return `slow:${f.delay_ms}`;
    case 'reboot': return `reboot:${f.after_s}`;
    case 'wrap': return `wrap:${f.after_s}`;
    case 'lossy': return `lossy:${f.p}`;
  }
}
