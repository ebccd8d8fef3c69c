/**
 * The place model (pure). Since 1 July 2025 Vietnam has two tiers of local government:
 * province → commune (xã, phường or đặc khu). A province may keep an optional grouping between
 * the two (a cluster, or the former district kept for history): a site's `group`, named in the
 * settings (`places.group_label`), never required.
 *
 * Commune names repeat across provinces: a commune is keyed by province + name (`communeKey`),
 * everywhere (alert grouping, reports, web, scopes, maintenance windows, public pages).
 */

/** Where a site is. `group` is absent when the province uses no grouping. */
export interface Place {
  province: string;
  commune: string;
  group?: string;
}

/** Separator of a written key: `Khánh Hòa/Bác Ái`. */
export const KEY_SEP = '/';

/** THE commune key: province + commune name. */
export function communeKey(p: Pick<Place, 'province' | 'commune'>): string {
  return `${p.province}${KEY_SEP}${p.commune}`;
}

/** The group key (province + group name), or null when the site has no group. */
export function groupKey(p: Pick<Place, 'province' | 'group'>): string | null {
  return p.group ? `${p.province}${KEY_SEP}${p.group}` : null;
}

/**
 * Does a name a person wrote (settings, CLI, CSV, a scope) name this commune or group?
 * `Province/Name` matches exactly; a plain `Name` matches that name in any province (fine where
 * it is unique; `ambiguousNames` tells where it is not).
 */
export function refMatches(ref: string, province: string, name: string | undefined): boolean {
  if (!name) return false;
  if (ref === name) return true;
  return ref === `${province}${KEY_SEP}${name}`;
}

export const communeRefMatches = (ref: string, p: Pick<Place, 'province' | 'commune'>): boolean => refMatches(ref, p.province, p.commune);
export const groupRefMatches = (ref: string, p: Pick<Place, 'province' | 'group'>): boolean => refMatches(ref, p.province, p.group);

/** Plain commune names used in more than one province (a plain name there is ambiguous). */
export function ambiguousNames(places: ReadonlyArray<Pick<Place, 'province' | 'commune'>>): Map<string, string[]> {
  const provinces = new Map<string, Set<string>>();
  for (const p of places) {
    const s = provinces.get(p.commune) ?? new Set<string>();
    s.add(p.province);
    provinces.set(p.commune, s);
  }
  const out = new Map<string, string[]>();
  for (const [name, ps] of provinces) if (ps.size > 1) out.set(name, [...ps].sort((a, b) => a.localeCompare(b, 'vi')));
  return out;
}

/** Area levels: where contacts live, where escalation goes, what a scope names. */
export type PlaceLevel = 'commune' | 'group' | 'province';

/** The name of a place at one level (undefined: the site has no group). */
export function nameAt(level: PlaceLevel, p: Place): string | undefined {
  return level === 'commune' ? p.commune : level === 'group' ? p.group : p.province;
}

/**
 * Does an area entry (`{ level, name, province? }`: contacts, a scope) cover this place?
 * Commune and group names may be written `Province/Name`, or given a `province`.
 */
export function areaCovers(a: { level: PlaceLevel; name: string; province?: string }, p: Place): boolean {
  if (a.province !== undefined && a.level !== 'province' && a.province !== p.province) return false;
  if (a.level === 'province') return a.name === p.province;
  return refMatches(a.name, p.province, nameAt(a.level, p));
}

/** Just the place fields of a site (`group` left out when absent: no empty values anywhere). */
export function placeOf(s: Place): Place {
  return s.group ? { province: s.province, group: s.group, commune: s.commune } : { province: s.province, commune: s.commune };
}

/** Sort key: province, then group (when any), then commune. */
export function placeSortKey(p: Place): string {
  return `${p.province}\u0000${p.group ?? ''}\u0000${p.commune}`;
}

// ---------------------------------------------------------------- deprecated spellings

export interface AliasProblem {
  path: Array<string | number>;
  message: string;
  warning?: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Inventories written before the reform say `district:` on every site and `level: district` on
 * area contacts. They still load: `district` is read as `group` (one warning for the file), and a
 * site that gives both is a problem. Works on the raw object, before the schema (mutates a copy).
 */
export function normalizeInventoryAliases(raw: unknown): { value: unknown; problems: AliasProblem[] } {
  if (!isObj(raw)) return { value: raw, problems: [] };
  const value = structuredClone(raw);
  const problems: AliasProblem[] = [];
  let renamed = 0;
  let firstRenamed: Array<string | number> | null = null;
  if (Array.isArray(value.sites)) {
    value.sites.forEach((s, i) => {
      if (!isObj(s) || !('district' in s)) return;
      if ('group' in s) {
        problems.push({ path: ['sites', i, 'district'], message: 'give group or district (its former name), not both' });
        delete s.district; // reported once here, not again by the schema as an unknown field
        return;
      }
      s.group = s.district;
      delete s.district;
      renamed++;
      firstRenamed ??= ['sites', i, 'district'];
    });
  }
  if (Array.isArray(value.areas)) {
    value.areas.forEach((a, i) => {
      if (!isObj(a) || a.level !== 'district') return;
      a.level = 'group';
      renamed++;
      firstRenamed ??= ['areas', i, 'level'];
    });
  }
  if (firstRenamed) {
    problems.push({
      path: firstRenamed, warning: true,
      message: `'district' (${renamed} place${renamed === 1 ? '' : 's'}) is read as the optional group (districts were abolished in 2025): rename it to 'group', or drop it`,
    });
  }
  return { value, problems };
}

/** Settings written before the reform: escalation `level: district` and `poller.shard.districts` mean the group. */
export function normalizeSettingsAliases(raw: unknown): { value: unknown; problems: AliasProblem[] } {
  if (!isObj(raw)) return { value: raw, problems: [] };
  const value = structuredClone(raw);
  const problems: AliasProblem[] = [];
  const alerting = value.alerting;
  if (isObj(alerting) && Array.isArray(alerting.escalation)) {
    alerting.escalation.forEach((e, i) => {
      if (!isObj(e) || e.level !== 'district') return;
      e.level = 'group';
      problems.push({ path: ['alerting', 'escalation', i, 'level'], warning: true, message: "level 'district' is read as 'group' (districts were abolished in 2025)" });
    });
  }
  const poller = value.poller;
  if (isObj(poller) && isObj(poller.shard) && 'districts' in poller.shard) {
    const shard = poller.shard;
    if ('groups' in shard) problems.push({ path: ['poller', 'shard', 'districts'], message: 'give groups or districts (its former name), not both' });
    else {
      shard.groups = shard.districts;
      delete shard.districts;
      problems.push({ path: ['poller', 'shard', 'districts'], warning: true, message: "'districts' is read as 'groups' (districts were abolished in 2025)" });
    }
  }
  return { value, problems };
}

// ---------------------------------------------------------------- the communes section

/** The inventory's `communes:` entries by commune key. */
export function communeIndex<C extends { province: string; name: string }>(communes: readonly C[]): Map<string, C> {
  return new Map(communes.map((c) => [communeKey({ province: c.province, commune: c.name }), c]));
}

// ---------------------------------------------------------------- names as people write them

const PREFIX = /^(xã|phường|thị trấn|đặc khu|huyện|quận|thị xã|thành phố|tỉnh|tp\.?)\s+/u;

/** Compare names as people write them: NFC, case, spaces, a leading "xã"/"phường"/"huyện"... ignored. */
export function foldName(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi').replace(PREFIX, '');
}

export type Resolved =
  | { ok: true; place: Pick<Place, 'province' | 'commune'>; via: 'current' | 'former' }
  | { ok: false; reason: 'unknown' | 'ambiguous'; message: string };

interface FormerEntry { key: string; province: string; commune: string; district?: string; formerProvince?: string }

export interface PlaceResolver {
  /**
   * The current commune a written name means: a current name (`Name` or `Province/Name`), else a
   * former name from the `communes:` section (the former district, when given, tells apart
   * former communes of the same name). Unknown and ambiguous names say why.
   */
  commune(text: string, hint?: { province?: string; district?: string }): Resolved;
  /** Group keys (`Province/Group`) a written group name means ([] when none; several when it repeats across provinces). */
  groups(text: string): string[];
}

/** Build the resolver from the inventory's sites (current places) and its `communes:` section (former names). */
export function createPlaceResolver(
  sites: ReadonlyArray<Place>,
  communes: ReadonlyArray<{ province: string; name: string; former_names?: ReadonlyArray<{ name: string; district?: string; province?: string }> }> = [],
): PlaceResolver {
  const current = new Map<string, Map<string, Pick<Place, 'province' | 'commune'>>>(); // folded name → key → place
  const groups = new Map<string, Set<string>>();
  const add = (province: string, commune: string) => {
    const m = current.get(foldName(commune)) ?? new Map();
    m.set(communeKey({ province, commune }), { province, commune });
    current.set(foldName(commune), m);
  };
  for (const s of sites) {
    add(s.province, s.commune);
    if (s.group) {
      const g = groups.get(foldName(s.group)) ?? new Set<string>();
      g.add(groupKey(s)!);
      groups.set(foldName(s.group), g);
    }
  }
  for (const c of communes) add(c.province, c.name);
  const former = new Map<string, FormerEntry[]>();
  for (const c of communes) {
    for (const f of c.former_names ?? []) {
      const l = former.get(foldName(f.name)) ?? [];
      l.push({ key: communeKey({ province: c.province, commune: c.name }), province: c.province, commune: c.name, district: f.district, formerProvince: f.province });
      former.set(foldName(f.name), l);
    }
  }
  const split = (text: string): { province?: string; name: string } => {
    const i = text.indexOf(KEY_SEP);
    return i > 0 ? { province: text.slice(0, i).trim(), name: text.slice(i + 1).trim() } : { name: text.trim() };
  };
  const list = (places: Iterable<Pick<Place, 'province' | 'commune'>>) => [...places].map((p) => communeKey(p)).sort((a, b) => a.localeCompare(b, 'vi')).join(', ');

  return {
    commune(text, hint = {}) {
      const ref = split(text);
      const province = ref.province ?? hint.province;
      const inProvince = (p: string, alt?: string) => province === undefined || foldName(p) === foldName(province) || (alt !== undefined && foldName(alt) === foldName(province));
      const now = [...(current.get(foldName(ref.name))?.values() ?? [])].filter((p) => inProvince(p.province));
      if (now.length === 1) return { ok: true, place: now[0]!, via: 'current' };
      if (now.length > 1) return { ok: false, reason: 'ambiguous', message: `'${text}' is a commune in ${now.length} provinces (${list(now)}): write Province/${ref.name}` };
      let was = (former.get(foldName(ref.name)) ?? []).filter((f) => inProvince(f.province, f.formerProvince));
      if (hint.district !== undefined && hint.district.trim() !== '') {
        const d = foldName(hint.district);
        const inDistrict = was.filter((f) => f.district !== undefined && foldName(f.district) === d);
        if (inDistrict.length) was = inDistrict;
        else if (was.some((f) => f.district !== undefined)) was = was.filter((f) => f.district === undefined);
      }
      const keys = new Map(was.map((f) => [f.key, { province: f.province, commune: f.commune }]));
      if (keys.size === 1) return { ok: true, place: [...keys.values()][0]!, via: 'former' };
      if (keys.size > 1) return { ok: false, reason: 'ambiguous', message: `former commune '${text}' is now part of ${list(keys.values())}: give its former district to tell them apart` };
      return { ok: false, reason: 'unknown', message: `'${text}' is neither a current nor a former commune of the inventory` };
    },
    groups(text) {
      const ref = split(text);
      const keys = [...(groups.get(foldName(ref.name)) ?? [])];
      return ref.province === undefined ? keys : keys.filter((k) => foldName(k.slice(0, k.indexOf(KEY_SEP))) === foldName(ref.province!));
    },
  };
}
