/**
 * Escalation (pure): an incident nobody acknowledged is sent to the next level (commune →
 * province by default; → group → province where a province uses groups; contacts from
 * `inventory.areas`) after each `alerting.escalation[i].after`, each level once.
 *
 * The clock starts when the incident was first NOTIFIED, not when it opened: an incident held
 * or suppressed (a child behind a down parent, a site folded into a commune outage, a maintenance
 * window) has spent none of its escalation time.
 */
import type { Contact, Inventory, Level, Settings, Site } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { Recipient } from './notice.js';
import { areaCovers, communeKey, groupKey, type Place } from '../inventory/places.js';

export interface EscalationView {
  notified_at: number | null;
  acknowledged_at: number | null;
  resolved_at: number | null;
  /** Levels already escalated to. */
  escalated: readonly Level[];
}

export interface EscalationStep {
  level: Level;
  after_ms: number;
}

export function escalationSteps(settings: Settings): EscalationStep[] {
  return settings.alerting.escalation.map((e) => ({ level: e.level, after_ms: parseDuration(e.after) }));
}

/** The levels due now, in order, each at most once. A clock that went backwards yields nothing. */
export function dueEscalations(inc: EscalationView, steps: readonly EscalationStep[], now: number): EscalationStep[] {
  if (inc.notified_at === null || inc.acknowledged_at !== null || inc.resolved_at !== null) return [];
  const elapsed = now - inc.notified_at;
  return steps.filter((s) => elapsed >= s.after_ms && !inc.escalated.includes(s.level));
}

const key = (c: Contact) => `${c.name}|${c.phone ?? ''}|${c.email ?? ''}|${c.zalo ?? ''}|${c.telegram_chat_id ?? ''}`;

/**
 * Who hears about an incident at one level. Commune level: the site's own contacts and the
 * commune's area contacts. Group and province: that area's contacts (none at group level for a
 * site without a group). Commune and group names are matched within the province. Duplicates removed.
 */
export function recipientsFor(
  level: Level,
  area: Place,
  site: Pick<Site, 'contacts'> | null,
  inventory: Pick<Inventory, 'areas'>,
): Recipient[] {
  const contacts: Contact[] = [];
  if (level === 'commune' && site) contacts.push(...site.contacts);
  for (const a of inventory.areas) if (a.level === level && areaCovers(a, area)) contacts.push(...a.contacts);
  const seen = new Set<string>();
  const out: Recipient[] = [];
  for (const c of contacts) {
    const k = key(c);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ ...c, level });
  }
  return out;
}

export interface EscalationGap {
  level: Level;
  /** `after` of the escalation step; null for the commune level (the first notice). */
  after: string | null;
  /** The commune key, group key or province with sites and nobody to tell. */
  area: string;
  province: string;
  /** The commune, group or province name; null for a province's sites without a group. */
  name: string | null;
  sites: number;
}

/**
 * Pure, for check-config: every commune, group and province with sites where a level an incident
 * reaches (the commune first, then each escalation step) has nobody to tell. A commune counts as
 * covered when each of its sites has a contact of its own or the commune has area contacts.
 */
export function escalationGaps(settings: Pick<Settings, 'alerting'>, inventory: Pick<Inventory, 'sites' | 'areas'>): EscalationGap[] {
  const levels: Array<{ level: Level; after: string | null }> = [{ level: 'commune', after: null }, ...settings.alerting.escalation.map((e) => ({ level: e.level, after: e.after }))];
  const out: EscalationGap[] = [];
  for (const { level, after } of levels) {
    const areas = new Map<string, { sites: number; covered: boolean; province: string; name: string | null }>();
    for (const s of inventory.sites) {
      // a site without a group has nobody at group level: its province's sites are counted together
      const k = level === 'commune' ? communeKey(s) : level === 'group' ? groupKey(s) ?? `${s.province} (sites without a group)` : s.province;
      const a = areas.get(k) ?? { sites: 0, covered: true, province: s.province, name: (level === 'commune' ? s.commune : level === 'group' ? s.group : s.province) ?? null };
      a.sites++;
      const reached = recipientsFor(level, s, level === 'commune' ? s : null, inventory).length > 0;
      if (!reached) a.covered = false;
      areas.set(k, a);
    }
    for (const [area, a] of areas) if (!a.covered) out.push({ level, after, area, province: a.province, name: a.name, sites: a.sites });
  }
  return out;
}
