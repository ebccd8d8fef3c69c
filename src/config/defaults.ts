import { Value } from '@sinclair/typebox/value';
import { Settings, Site, type Settings as SettingsT, type Site as SiteT } from './schema.js';

/** Defaults live in the schema; this is the one place that applies them. Throws on invalid input. */
export function settingsWithDefaults(partial: unknown = {}): SettingsT {
  const v = Value.Default(Settings, structuredClone(partial ?? {}));
  const errs = [...Value.Errors(Settings, v)];
  if (errs.length) throw new Error(`invalid settings: ${errs.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  return v as SettingsT;
}

/** A site with defaults applied (tests and importers). Throws on invalid input. */
export function siteWithDefaults(partial: unknown): SiteT {
  const v = Value.Default(Site, structuredClone(partial));
  const errs = [...Value.Errors(Site, v)];
  if (errs.length) throw new Error(`invalid site: ${errs.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  return v as SiteT;
}
