/**
 * Who a trainee calls (pure): the key holder at the site, the commune's own contact, the next
 * level up, the ISP. Each comes only from where it belongs: the site's contacts, the area contacts
 * of the commune (`inventory.areas`), the area contacts of the level the incident escalates to
 * first (`alerting.escalation[0]`). A missing one is null and shown as "chưa khai báo" / "not
 * declared", never filled with someone else's number; `contactWarnings` lists them for check-config.
 */
import type { Contact, Inventory, Level, Settings, Site } from '../config/schema.js';
import type { Lang } from '../core/types.js';
import { areaCovers, communeKey, nameAt, placeOf, type Place } from '../inventory/places.js';

export interface ResolvedContacts {
  /** The site's `key_holder`, else a contact with a key-holder role, else the site's first non-ISP contact. */
  site_contact: Contact | null;
  /** From the area contacts of the commune only. */
  commune_contact: Contact | null;
  /** The level the incident escalates to first, and its area contact. */
  escalation_level: Level | null;
  escalation_contact: Contact | null;
  /** A contact whose role names the ISP: the site's, then the commune's, then the escalation level's. */
  isp_contact: Contact | null;
}

const ISP_ROLE = /\b(isp|provider)\b|nhà mạng|viettel|vnpt|mobifone|vinaphone|fpt/iu;
const KEY_HOLDER_ROLE = /key|keeper|site|giữ chìa|chìa kho[áa]|trông coi|thủ kho|quản lý (nhà văn h[oó][áa]|điểm)/iu;

export const isIspContact = (c: Pick<Contact, 'role'>) => !!c.role && ISP_ROLE.test(c.role);
export const isKeyHolder = (c: Pick<Contact, 'role'>) => !!c.role && KEY_HOLDER_ROLE.test(c.role) && !isIspContact(c);

function areaContacts(inventory: Pick<Inventory, 'areas'>, level: Level, place: Place): Contact[] {
  return inventory.areas.filter((a) => a.level === level && areaCovers(a, place)).flatMap((a) => a.contacts);
}

/**
 * The first level above the commune the incident escalates to (settings order) that this place
 * has: a group step is skipped for a site of a province without groups. Null when none.
 */
export function nextLevelUp(settings: Pick<Settings, 'alerting'>, place?: Place): Level | null {
  return settings.alerting.escalation.find((e) => e.level !== 'commune' && (!place || nameAt(e.level, place) !== undefined))?.level ?? null;
}

export function resolveContacts(
  site: Pick<Site, 'contacts' | 'key_holder'> | null,
  place: Place,
  inventory: Pick<Inventory, 'areas'>,
  settings: Pick<Settings, 'alerting'>,
): ResolvedContacts {
  const own = site?.contacts ?? [];
  const commune = areaContacts(inventory, 'commune', place);
  const level = nextLevelUp(settings, place);
  const up = level ? areaContacts(inventory, level, place) : [];
  const notIsp = (cs: Contact[]) => cs.find((c) => !isIspContact(c)) ?? null;
  return {
    site_contact: site?.key_holder ?? own.find(isKeyHolder) ?? notIsp(own),
    commune_contact: notIsp(commune),
    escalation_level: level,
    escalation_contact: notIsp(up),
    isp_contact: [...own, ...commune, ...up].find(isIspContact) ?? null,
  };
}

export const NOT_DECLARED: Record<Lang, string> = { vi: 'chưa khai báo', en: 'not declared' };

/** A contact as a runbook shows it: `Name (role): 0912 345 678`, or `(chưa khai báo)`. */
export function contactLine(c: Pick<Contact, 'name' | 'role' | 'phone' | 'zalo'> | null, lang: Lang): string {
  if (!c) return `(${NOT_DECLARED[lang]})`;
  const reach = c.phone ?? c.zalo;
  return `${c.name}${c.role ? ` (${c.role})` : ''}${reach ? `: ${reach}` : ''}`;
}

export interface ContactWarning {
  path: Array<string | number>;
  message: string;
}

/**
 * Contacts a runbook will show as "not declared", for check-config (warnings, not errors): sites
 * without a contact at the site, communes without an area contact. (Escalation levels that reach
 * nobody are check-config's escalation gaps: src/alerting/escalation.ts.)
 */
export function contactWarnings(inventory: Pick<Inventory, 'sites' | 'areas'>, settings: Pick<Settings, 'alerting'>): ContactWarning[] {
  const out: ContactWarning[] = [];
  const communes = new Map<string, { i: number; name: string }>();
  inventory.sites.forEach((s, i) => {
    const c = resolveContacts(s, placeOf(s), inventory, settings);
    if (!c.site_contact) out.push({ path: ['sites', i, 'contacts'], message: `site '${s.id}' has no contact at the site (key holder): runbooks will show {{site_contact}} as "not declared"` });
    if (!c.commune_contact && !communes.has(communeKey(s))) communes.set(communeKey(s), { i, name: s.commune });
  });
  for (const { i, name } of communes.values()) {
    out.push({ path: ['sites', i, 'commune'], message: `commune '${name}' has no area contact (areas: level commune): runbooks will show {{commune_contact}} as "not declared"` });
  }
  return out;
}
