/**
 * The contract between alerting (which decides WHAT to say and to WHOM) and the notifiers
 * (which say it on one channel). Message building from a Notice is pure (see notifiers/).
 */
import type { CommuneKind, Contact, Lang, Level } from '../core/types.js';
import type { SiteStateName } from '../store/schema.js';
import type { Condition } from './condition.js';

/** Every alert kind has a runbook per language under config/runbooks/<lang>/<kind>.md. */
export const ALERT_KINDS = [
  'site-down', 'upstream-down', 'power-cut-suspected', 'high-loss', 'high-latency',
  'snmp-unreachable', 'wan-interface-down', 'saturation', 'flapping', 'rebooted',
  'weak-signal', 'quota-exhausted',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const CAUSES = ['power', 'link', 'unknown'] as const;
export type Cause = (typeof CAUSES)[number];

export interface NoticeSite {
  id: string;
  name: string;
  kind: string;
  commune: string;
  /** The site's group, when its province uses groups. */
  group?: string;
  province: string;
  village?: string;
}

/** Where an incident is: the commune (its kind when the inventory says), its group when any, the province. */
export interface NoticeArea {
  commune: string;
  commune_kind?: CommuneKind;
  group?: string;
  province: string;
}

export interface FoldedIncident {
  incident_id: number;
  id: string;
  name: string;
  since: number;
  notified_before: boolean;
}

export interface Recipient extends Contact {
  /** Which escalation level this person is reached at. */
  level: Level;
}

export interface Notice {
  /** Delivery id: stable for one (incident, event, level), so a retry or a restart never sends twice. */
  id: string;
  kind: AlertKind;
  event: 'firing' | 'resolved' | 'escalated';
  incident_id: number;
  /** The site the incident is about; null for a commune-level incident. */
  site: NoticeSite | null;
  area: NoticeArea;
  state: SiteStateName;
  /** Epoch ms the condition began. */
  since: number;
  /** Epoch ms it ended (resolved notices). */
  resolved_at?: number;
  cause?: Cause;
  /** The condition, explaining itself: `loss_pct 42 > 20 for 3 checks`. */
  detail: string;
  /** `detail` as structured fields (messages render these in the reader's language); parsed from `detail` when absent. */
  condition?: Condition[];
  /** Sites affected besides `site` (children of a DOWN parent, a dark commune's sites). */
  affected: Array<{ id: string; name: string }>;
  /**
   * Other site incidents this message speaks for: sites of the same commune that failed with it
   * (one message for them), or, on a commune incident, the site incidents it folds; those with
   * `notified_before` were told on their own earlier, so this message is an update for them.
   */
  folded?: FoldedIncident[];
  /** The incident's runbook page: a signed single-incident link (no login) when the server has a secret. */
  runbook_url: string;
  /** Opens the acknowledge form of that page (a GET never acknowledges). */
  ack_url: string;
  /** Opens the outcome form of that page (what was found and done). */
  outcome_url?: string;
  level: Level;
  recipients: Recipient[];
  /** Default language when a recipient has none. */
  lang: Lang;
}
