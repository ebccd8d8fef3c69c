import { Value } from '@sinclair/typebox/value';
import { Settings, Site, type Settings as SettingsT, type Site as SiteT } from './schema.js';
import { normalizeInventoryAliases, normalizeSettingsAliases } from '../inventory/places.js';

/** Defaults live in the schema; this is the one place that applies them. Throws on invalid input. */
export function settingsWithDefaults(partial: unknown = {}): SettingsT {
  const v = Value.Default(Settings, normalizeSettingsAliases(partial ?? {}).value);
  const errs = [...Value.Errors(Settings, v)];
  if (errs.length) throw new Error(`invalid settings: ${errs.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  return v as SettingsT;
}

/** A site with defaults applied (tests and importers). Throws on invalid input. */
export function siteWithDefaults(partial: unknown): SiteT {
  const aliased = normalizeInventoryAliases({ sites: [partial] });
  const bad = aliased.problems.find((p) => !p.warning);
  if (bad) throw new Error(`invalid site: ${bad.message}`);
  const v = Value.Default(Site, (aliased.value as { sites: unknown[] }).sites[0]);
  const errs = [...Value.Errors(Site, v)];
  if (errs.length) throw new Error(`invalid site: ${errs.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  return v as SiteT;
}
