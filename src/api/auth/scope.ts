/**
 * Roles and scopes, pure. A user sees only sites inside its scope; lists are filtered and direct
 * ids outside it answer 404. Inside its scope, what a user may DO depends on its role (403 otherwise).
 */
import { Type, type Static } from '@sinclair/typebox';
import { InputError } from '../../core/errors.js';
import { StringEnum } from '../../core/schema.js';
import type { Lang } from '../../config/schema.js';
import { areaCovers, communeKey, type Place, type PlaceResolver } from '../../inventory/places.js';

export const ROLES = ['admin', 'operator', 'trainee', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPE_LEVELS = ['commune', 'group', 'province'] as const;
export type ScopeLevel = (typeof SCOPE_LEVELS)[number];
export const ScopeEntry = Type.Object({ level: StringEnum(SCOPE_LEVELS), name: Type.String() });
export type ScopeEntry = Static<typeof ScopeEntry>;

export interface Principal {
  id: number;
  name: string;
  role: Role;
  scope: ScopeEntry[];
  lang: Lang | null;
}

export const ACTIONS = ['view', 'acknowledge', 'runbook', 'maintenance', 'reload', 'audit'] as const;
export type Action = (typeof ACTIONS)[number];

/** What each role may do inside its scope. */
export const PERMISSIONS: Record<Role, readonly Action[]> = {
  admin: ACTIONS,
  operator: ['view', 'acknowledge', 'runbook', 'maintenance'],
  trainee: ['view', 'acknowledge', 'runbook'],
  reviewer: ['view'],
};

/** Scope levels each role may be given. */
const ALLOWED_LEVELS: Record<Role, readonly ScopeLevel[]> = {
  admin: SCOPE_LEVELS,
  operator: ['commune'],
  trainee: ['commune'],
  reviewer: ['group', 'province'],
};

/** What a scope is checked against: a site's or an incident's place. */
export type Area = Place;

export function can(p: Principal, action: Action): boolean {
  return PERMISSIONS[p.role].includes(action);
}

export function inScope(p: Principal, area: Area): boolean {
  if (p.role === 'admin') return true;
  return p.scope.some((s) => areaCovers(s, area));
}

/**
 * A scope with the 2025 mergers followed (pure): a commune entry naming a former commune also
 * covers the commune it became (a user made before the merger keeps its sites), and one naming a
 * current commune also covers its former names (incidents recorded under them stay visible).
 */
export function scopeWithHistory(scope: readonly ScopeEntry[], resolver: PlaceResolver, formerNames: ReadonlyMap<string, readonly string[]>): ScopeEntry[] {
  const out = [...scope];
  for (const e of scope) {
    if (e.level !== 'commune') continue;
    const r = resolver.commune(e.name);
    if (!r.ok) continue;
    const key = communeKey(r.place);
    if (r.via === 'former') out.push({ level: 'commune', name: key });
    for (const f of formerNames.get(key) ?? []) out.push({ level: 'commune', name: `${r.place.province}/${f}` });
  }
  return out;
}

/**
 * A scope as stored. Users made before the 2025 reform may hold `district:X`: read as the group X.
 * Commune and group names may be written `Province/Name` (a plain name matches in every province).
 */
export function readScope(entries: ReadonlyArray<{ level: string; name: string }>): ScopeEntry[] {
  return entries.map((e) => ({ level: (e.level === 'district' ? 'group' : e.level) as ScopeLevel, name: e.name }));
}

/** Parse `commune:X,district:Y` (CLI). Throws InputError naming the bad part. */
export function parseScope(text: string | undefined, role: Role): ScopeEntry[] {
  const entries: ScopeEntry[] = [];
  for (const raw of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = raw.indexOf(':');
    const level = (raw.slice(0, i) === 'district' ? 'group' : raw.slice(0, i)) as ScopeLevel;
    const name = raw.slice(i + 1).trim();
    if (i < 0 || !SCOPE_LEVELS.includes(level) || !name) {
      throw new InputError(`--scope: "${raw}" is not level:name (level is commune, group or province; a commune or group may be written Province/Name)`);
    }
    entries.push({ level, name });
  }
  return validateScope(role, entries);
}

export function validateScope(role: Role, entries: ScopeEntry[]): ScopeEntry[] {
  if (!ROLES.includes(role)) throw new InputError(`--role: "${role}" is not one of ${ROLES.join(', ')}`);
  if (role !== 'admin' && entries.length === 0) {
    throw new InputError(`--scope: a ${role} needs a scope (${ALLOWED_LEVELS[role].join(' or ')})`);
  }
  for (const e of entries) {
    if (!ALLOWED_LEVELS[role].includes(e.level)) {
      throw new InputError(`--scope: a ${role} may be given ${ALLOWED_LEVELS[role].join(' or ')} scopes, not ${e.level}:${e.name}`);
    }
  }
  return entries;
}
