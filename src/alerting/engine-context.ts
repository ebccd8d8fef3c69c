/**
 * What the parts of the alert engine share. engine.ts owns one EngineContext and the batch
 * loop; grouping.ts (group_wait and commune folds), notify.ts (notice building) and periodic.ts
 * (the tick's timers) read the fleet and change incidents through it, inside the engine's
 * transaction. `fleet` is replaced whole on an inventory reload, so the parts always read it
 * through the context, never keep it.
 */
import type { Commune, Inventory, Settings, Site } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { EventFields } from '../store/points.js';
import type { EventType } from '../store/schema.js';
import { communeKey } from './commune.js';
import { communeIndex, type Place } from '../inventory/places.js';
import { buildGraph, type SiteGraph } from './dependencies.js';
import type { IncidentRepository } from './incidents.js';
import type { Notice } from './notice.js';
import type { SiteAlertState } from './reducer.js';

export interface EngineEvent {
  /** The site, or null for a commune-level event (then `area` carries the tags). */
  site: string | null;
  area: Place;
  ts: number;
  type: EventType;
  fields: EventFields;
}

/** The inventory as the engine looks things up in it (rebuilt on every reload). */
export interface Fleet {
  inventory: Inventory;
  graph: SiteGraph;
  sitesById: Map<string, Site>;
  /** Sites by communeKey. */
  communeSites: Map<string, Site[]>;
  /** The inventory's `communes:` entries by communeKey (their kind, for the notices). */
  communeInfo: Map<string, Commune>;
}

export function fleetOf(inventory: Inventory): Fleet {
  const communeSites = new Map<string, Site[]>();
  for (const s of inventory.sites) {
    const k = communeKey(s);
    const l = communeSites.get(k) ?? [];
    l.push(s);
    communeSites.set(k, l);
  }
  return {
    inventory,
    graph: buildGraph(inventory.sites),
    sitesById: new Map(inventory.sites.map((s) => [s.id, s])),
    communeSites,
    communeInfo: communeIndex(inventory.communes ?? []),
  };
}

/** Where a notice's links point and how long a signed one opens (links.ts). */
export interface NoticeLinks {
  publicUrl: string;
  /** Null when the server has no secret: the notices then carry the plain pages. */
  key: Buffer | null;
  ttlMs: number;
}

export interface EngineContext {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly log: Logger;
  readonly repo: IncidentRepository;
  /** The reports' timezone, in which maintenance windows are read. */
  readonly tz: string;
  readonly groupWaitMs: number;
  readonly links: NoticeLinks;
  fleet: Fleet;
  /** Per site in the inventory, its state as of the last committed batch (changed in place). */
  readonly siteStates: Map<string, SiteAlertState>;
}

/** What one ingest or tick produces, collected inside its transaction and dispatched after commit. */
export interface Batch {
  now: number;
  notices: Notice[];
  events: EngineEvent[];
  /** Incidents opened in this batch, to notify at the end unless held or folded. */
  opened: number[];
}

export function newBatch(now: number): Batch {
  return { now, notices: [], events: [], opened: [] };
}
