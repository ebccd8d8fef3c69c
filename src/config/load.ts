/**
 * Loading configuration: read YAML (positions kept) → resolve secrets (`${ENV}`, `<key>_file`) →
 * env overrides → defaults → schema → cross-field rules. EVERY problem is collected and thrown
 * at once as an InputError whose problems read `file:line:col: field: message`.
 */
import { contactWarnings } from '../alerting/contacts.js';
import fs from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { InputError } from '../core/errors.js';
import { Inventory, Settings, type Inventory as InventoryT, type Settings as SettingsT } from './schema.js';
import { aboutRemoved, ruleView, schemaProblems, type Problem } from './validate.js';
import { parseYamlSource, formatProblem, toPlain, type YamlSource } from './yaml-source.js';
import { inventoryRules, settingsRules, type InventoryForRules } from './rules.js';
import { normalizeInventoryAliases, normalizeSettingsAliases } from '../inventory/places.js';

export const DEFAULT_CONFIG = 'config/pointwatch.example.yaml';

export interface LoadedConfig {
  settings: SettingsT;
  inventory: InventoryT;
  settingsPath: string;
  inventoryPath: string;
  /** Things worth a look that do not stop pointwatch (duplicate host:port, ...). */
  warnings: string[];
}

export interface LoadOptions {
  config?: string;
  inventory?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * More checks of valid settings (notifiers, runbooks), reported with the rest in one pass: a
   * problem with a `path` is positioned in the settings file (`file:line:col`, at the key when
   * `key` is set), a string is reported as it is (it names its own file, such as a runbook).
   */
  extraChecks?: (settings: SettingsT, settingsPath: string) => Array<string | ExtraProblem>;
}

/** A problem in the settings found by an extra check: the field to blame. */
export interface ExtraProblem extends Problem {
  key?: boolean;
}

interface Collected {
  problems: string[];
  warnings: string[];
}

function readSource(file: string, out: Collected): YamlSource | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    out.problems.push(`${file}:1:1: cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return null;
  }
  const src = parseYamlSource(file, text);
  out.problems.push(...src.syntaxProblems);
  return src.syntaxProblems.length ? null : src;
}

/** The file's values, or null with the problem recorded (an alias that cannot be resolved). */
function readValues(src: YamlSource, out: Collected): { js: unknown } | null {
  const plain = toPlain(src);
  if ('problem' in plain) { out.problems.push(plain.problem); return null; }
  return { js: plain.value ?? {} };
}

/**
 * Replace `${VAR}` in strings with the environment's value and `<key>_file: path` with the file's
 * content (trailing newline trimmed). Problems name the field, never the secret value.
 */
export function resolveSecrets(value: unknown, env: NodeJS.ProcessEnv, baseDir: string, pathSoFar: Array<string | number> = [], problems: Problem[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push({ path: pathSoFar, message: `environment variable ${name} is not set` });
        return _m; // keep the reference so the schema does not report a second, confusing problem
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveSecrets(v, env, baseDir, [...pathSoFar, i], problems));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('_file') && typeof v === 'string') {
        const key = k.slice(0, -'_file'.length);
        if (key in (value as Record<string, unknown>)) {
          problems.push({ path: [...pathSoFar, k], message: `give either ${key} or ${k}, not both` });
          continue;
        }
        const file = path.resolve(baseDir, v);
        try {
          out[key] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          problems.push({ path: [...pathSoFar, k], message: `cannot read secret file ${v}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
          out[key] = `<unreadable ${k}>`; // placeholder so the schema does not also report it missing
        }
        continue;
      }
      out[k] = resolveSecrets(v, env, baseDir, [...pathSoFar, k], problems);
    }
    return out;
  }
  return value;
}

/** Environment overrides for what a container needs to set. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(raw);
  const section = (k: string) => (out[k] && typeof out[k] === 'object' ? out[k] : (out[k] = {})) as Record<string, unknown>;
  if (env.POINTWATCH_INFLUX_URL) section('influx').url = env.POINTWATCH_INFLUX_URL;
  if (env.POINTWATCH_INFLUX_DATABASE) section('influx').database = env.POINTWATCH_INFLUX_DATABASE;
  if (env.POINTWATCH_PORT) section('api').port = Number(env.POINTWATCH_PORT);
  if (env.POINTWATCH_HOST) section('api').host = env.POINTWATCH_HOST;
  if (env.POINTWATCH_PUBLIC_URL) section('api').public_url = env.POINTWATCH_PUBLIC_URL;
  if (env.POINTWATCH_DATA_DIR) out.data_dir = env.POINTWATCH_DATA_DIR;
  if (env.POINTWATCH_LOG_LEVEL) out.log_level = env.POINTWATCH_LOG_LEVEL;
  return out;
}

/** The decoded value (null when the schema refused it) and what the cross-field rules may still read. */
function decode<T>(schema: Parameters<typeof Value.Default>[0], raw: unknown, src: YamlSource, out: Collected): { value: T | null; view: unknown; removed: ReadonlySet<string> } {
  const value = Value.Default(schema, raw ?? {});
  const problems = schemaProblems(schema, value);
  for (const p of problems) out.problems.push(formatProblem(src, p.path, p.message, p.message === 'unknown field'));
  if (!problems.length) return { value: value as T, view: value, removed: new Set() };
  const partial = ruleView(schema, value);
  return { value: null, view: partial?.view ?? null, removed: partial?.removed ?? new Set() };
}

/** The inventory the rules can read despite schema problems, or null when there is no list of sites at all. */
export function inventoryForRules(view: unknown): InventoryForRules | null {
  if (!view || typeof view !== 'object' || !Array.isArray((view as InventoryForRules).sites)) return null;
  const v = view as Partial<InventoryForRules>;
  return { sites: v.sites!, areas: Array.isArray(v.areas) ? v.areas : [], communes: Array.isArray(v.communes) ? v.communes : [] };
}

/** Parse the settings file alone (no inventory). */
function loadSettingsInto(file: string, env: NodeJS.ProcessEnv, out: Collected): { settings: SettingsT | null; inventory?: string; src?: YamlSource } {
  const src = readSource(file, out);
  const values = src && readValues(src, out);
  if (!src || !values) return { settings: null };
  const secretProblems: Problem[] = [];
  const js = values.js as Record<string, unknown>;
  if (typeof js !== 'object' || Array.isArray(js)) {
    out.problems.push(`${file}:1:1: (top level): must be a mapping of settings`);
    return { settings: null };
  }
  const resolved = resolveSecrets(js, env, path.dirname(file), [], secretProblems) as Record<string, unknown>;
  for (const p of secretProblems) out.problems.push(formatProblem(src, p.path, p.message, true));
  const aliased = normalizeSettingsAliases(applyEnvOverrides(resolved, env));
  for (const p of aliased.problems) (p.warning ? out.warnings : out.problems).push(formatProblem(src, p.path, p.message, true));
  const { value: settings, view, removed: refused } = decode<SettingsT>(Settings, aliased.value, src, out);
  // Rules read nested settings freely: they run when what is left (defaults back in place of refused values) is whole.
  const forRules = settings ?? (view === null ? null : Value.Default(Settings, view));
  if (forRules && Value.Check(Settings, forRules)) {
    for (const p of settingsRules(forRules as SettingsT)) {
      if (!aboutRemoved(p.path, refused)) (p.warning ? out.warnings : out.problems).push(formatProblem(src, p.path, p.message));
    }
  }
  // Even when the settings are invalid, the inventory they name is still checked (every problem at once).
  return { settings, inventory: typeof js.inventory === 'string' ? js.inventory : undefined, src };
}

/** Problems in file order (then line, then column). */
function byPosition(a: string, b: string): number {
  const pa = /^(.*):(\d+):(\d+):/.exec(a);
  const pb = /^(.*):(\d+):(\d+):/.exec(b);
  if (!pa || !pb || pa[1] !== pb[1]) return 0;
  return Number(pa[2]) - Number(pb[2]) || Number(pa[3]) - Number(pb[3]);
}

function loadInventoryInto(file: string, env: NodeJS.ProcessEnv, out: Collected, settings: SettingsT | null = null): InventoryT | null {
  const src = readSource(file, out);
  const values = src && readValues(src, out);
  if (!src || !values) return null;
  const js = values.js;
  const secretProblems: Problem[] = [];
  const resolved = resolveSecrets(js, env, path.dirname(file), [], secretProblems);
  for (const p of secretProblems) out.problems.push(formatProblem(src, p.path, p.message, true));
  const aliased = normalizeInventoryAliases(resolved);
  for (const p of aliased.problems) (p.warning ? out.warnings : out.problems).push(formatProblem(src, p.path, p.message, true));
  const { value: inv, view, removed } = decode<InventoryT>(Inventory, aliased.value, src, out);
  // Schema and cross-field rules in one pass: an unknown key in one site hides no duplicate id in another.
  const forRules = inventoryForRules(view);
  for (const p of forRules ? inventoryRules(forRules) : []) {
    if (!aboutRemoved(p.path, removed)) (p.warning ? out.warnings : out.problems).push(formatProblem(src, p.path, p.message));
  }
  // contacts a runbook would show as "not declared" (needs the settings' escalation levels)
  if (inv && settings) for (const w of contactWarnings(inv, settings)) out.warnings.push(formatProblem(src, w.path, w.message));
  return inv;
}

/** Resolve which files to read: CLI flag, then env, then the settings' own `inventory` key. */
export function resolvePaths(opts: LoadOptions): { settingsPath: string; inventoryOverride: string | undefined } {
  const env = opts.env ?? process.env;
  return {
    settingsPath: path.resolve(opts.config ?? env.POINTWATCH_CONFIG ?? DEFAULT_CONFIG),
    inventoryOverride: opts.inventory ?? env.POINTWATCH_INVENTORY,
  };
}

export async function loadConfig(opts: LoadOptions = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const { settingsPath, inventoryOverride } = resolvePaths(opts);
  const out: Collected = { problems: [], warnings: [] };
  const { settings, inventory: namedInventory, src: settingsSrc } = loadSettingsInto(settingsPath, env, out);
  const inventoryPath = inventoryOverride
    ? path.resolve(inventoryOverride)
    : path.resolve(path.dirname(settingsPath), settings?.inventory ?? namedInventory ?? 'sites.yaml');
  const inventory = loadInventoryInto(inventoryPath, env, out, settings);
  if (settings && settingsSrc && opts.extraChecks) {
    for (const p of opts.extraChecks(settings, settingsPath)) {
      if (typeof p === 'string') { out.problems.push(p); continue; }
      const line = formatProblem(settingsSrc, p.path, p.message, p.key);
      // a field the settings rules already blamed (a duplicate name, a Zalo fallback) is said once
      const place = line.slice(0, line.length - p.message.length);
      if (!out.problems.some((q) => q.startsWith(place))) out.problems.push(line);
    }
  }
  if (out.problems.length || !settings || !inventory) {
    const n = out.problems.length;
    throw new InputError(`configuration has ${n} problem${n === 1 ? '' : 's'}`, [...out.problems].sort(byPosition));
  }
  // data_dir is relative to the working directory (a project-local `.data` by default).
  settings.data_dir = path.resolve(settings.data_dir);
  return { settings, inventory, settingsPath, inventoryPath, warnings: out.warnings };
}

/** Validate an inventory object that did not come from a YAML file (CSV import); problems name the path. */
export function validateInventoryObject(raw: unknown): { inventory: InventoryT | null; problems: Problem[]; warnings: Problem[] } {
  const aliased = normalizeInventoryAliases(raw);
  const value = Value.Default(Inventory, structuredClone(aliased.value));
  const problems = [...aliased.problems.filter((p) => !p.warning), ...schemaProblems(Inventory, value)];
  const partial = problems.length ? ruleView(Inventory, value) : { view: value, removed: new Set<string>() };
  const forRules = inventoryForRules(partial?.view);
  const rules = (forRules ? inventoryRules(forRules) : []).filter((r) => !aboutRemoved(r.path, partial!.removed));
  const errors = [...problems, ...rules.filter((r) => !r.warning)];
  return { inventory: errors.length ? null : (value as InventoryT), problems: errors, warnings: [...aliased.problems.filter((p) => p.warning), ...rules.filter((r) => r.warning)] };
}
