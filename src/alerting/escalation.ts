/**
 * Escalation (pure): an incident nobody acknowledged is sent to the next level (commune →
 * district → province contacts, from `inventory.areas`) after each `alerting.escalation[i].after`,
 * each level once.
 *
 * The clock starts when the incident was first NOTIFIED, not when it opened: an incident held
 * or suppressed (a child behind a down parent, a site folded into a commune outage, a maintenance
 * window) has spent none of its escalation time.
 */
import type { Contact, Inventory, Level, Settings, Site } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { Recipient } from './notice.js';

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
 * commune's area contacts. District and province: that area's contacts. Duplicates removed.
 */
export function recipientsFor(
  level: Level,
  area: { commune: string; district: string; province: string },
  site: Pick<Site, 'contacts'> | null,
  inventory: Pick<Inventory, 'areas'>,
): Recipient[] {
  const name = level === 'commune' ? area.commune : level === 'district' ? area.district : area.province;
  const contacts: Contact[] = [];
  if (level === 'commune' && site) contacts.push(...site.contacts);
  for (const a of inventory.areas) if (a.level === level && a.name === name) contacts.push(...a.contacts);
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
