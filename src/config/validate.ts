/**
 * Schema validation with messages people can act on. TypeBox's raw errors are turned into
 * `field: message` problems, and union errors (snmp, notifiers) are narrowed to the branch the
 * value meant (by its `version` or `type`), so "Expected union value" never reaches a person.
 */
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { SECRET_KEYS } from '../core/logger.js';

const SECRET = new Set([...SECRET_KEYS, 'auth_value', 'app_secret', 'bot_token']);

/** Is the value at this path a secret? Then no message may show it. */
export function isSecretPath(path: Array<string | number>): boolean {
  const last = path[path.length - 1];
  return typeof last === 'string' && SECRET.has(last);
}

export interface Problem {
  /** JSON path segments to the offending value (or the object missing a field). */
  path: Array<string | number>;
  message: string;
}

export function pathSegments(pointer: string): Array<string | number> {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function formatPath(path: Array<string | number>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

function literalChoices(schema: TSchema): string[] | null {
  if (schema[Kind] !== 'Union') return null;
  const vals: string[] = [];
  for (const s of schema.anyOf as TSchema[]) {
    if (s[Kind] !== 'Literal') return null;
    vals.push(String(s.const));
  }
  return vals;
}

/** Which branch of an object union the value meant, by a discriminating literal property. */
function unionBranch(schema: TSchema, value: unknown): { branch: TSchema | null; discriminator: string | null; choices: string[] } {
  const branches = (schema.anyOf as TSchema[]).filter((s) => s[Kind] === 'Object');
  for (const key of ['type', 'version']) {
    const choices: string[] = [];
    let match: TSchema | null = null;
    let all = true;
    for (const b of branches) {
      const prop = b.properties?.[key] as TSchema | undefined;
      if (!prop) { all = false; break; }
      const lits = prop[Kind] === 'Literal' ? [String(prop.const)] : literalChoices(prop);
      if (!lits) { all = false; break; }
      choices.push(...lits);
      if (value && typeof value === 'object' && lits.includes(String((value as Record<string, unknown>)[key]))) match = b;
    }
    if (all && branches.length > 0) return { branch: match, discriminator: key, choices };
  }
  return { branch: null, discriminator: null, choices: [] };
}

function hideValue(message: string, value: unknown): string {
  const shown = JSON.stringify(value);
  return message.replace(/ \(got .*\)$/, '').split(shown ?? '\u0000').join('(value hidden)');
}

function describe(e: ValueError): string {
  const choices = literalChoices(e.schema);
  if (choices) return `must be one of ${choices.join(', ')} (got ${JSON.stringify(e.value)})`;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'unknown field';
    case ValueErrorType.String:
      return `must be a string (got ${JSON.stringify(e.value)})`;
    case ValueErrorType.Number:
    case ValueErrorType.Integer:
      return `must be ${e.type === ValueErrorType.Integer ? 'an integer' : 'a number'} (got ${JSON.stringify(e.value)})`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be >= ${e.schema.minimum} (got ${e.value})`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be <= ${e.schema.maximum} (got ${e.value})`;
    case ValueErrorType.NumberExclusiveMinimum:
      return `must be > ${e.schema.exclusiveMinimum} (got ${e.value})`;
    case ValueErrorType.ArrayUniqueItems:
      return 'must not list the same value twice';
    case ValueErrorType.ArrayMinItems:
      return `must list at least ${e.schema.minItems}`;
    case ValueErrorType.StringPattern:
      return `${JSON.stringify(e.value)} is not valid: ${e.schema.description ?? `must match ${e.schema.pattern}`}`;
    case ValueErrorType.StringMinLength:
      return 'must not be empty';
    case ValueErrorType.StringFormat:
      return `${JSON.stringify(e.value)} is not a valid ${e.schema.format}`;
    case ValueErrorType.Array:
      return 'must be a list';
    case ValueErrorType.Object:
      return 'must be a mapping of fields';
    case ValueErrorType.Boolean:
      return `must be true or false (got ${JSON.stringify(e.value)})`;
    default:
      return e.message.replace(/^Expected/, 'must be');
  }
}

/** Every problem in `value` against `schema`, with readable messages. */
export function schemaProblems(schema: TSchema, value: unknown, base: Array<string | number> = []): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const path = [...base, ...pathSegments(e.path)];
    const key = `${e.path}|${e.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A missing field also fails its type check: "is required" says it once.
    if (e.value === undefined && e.type !== ValueErrorType.ObjectRequiredProperty) continue;
    if (e.schema[Kind] === 'Union' && !literalChoices(e.schema)) {
      const { branch, discriminator, choices } = unionBranch(e.schema, e.value);
      if (branch) {
        problems.push(...schemaProblems(branch, e.value, path));
      } else if (e.value === true || e.value === false) {
        problems.push({ path, message: 'must be false (ping only) or a mapping with version 1, 2c or 3' });
      } else if (discriminator) {
        const got = e.value && typeof e.value === 'object' ? (e.value as Record<string, unknown>)[discriminator] : undefined;
        problems.push({
          path: got === undefined ? path : [...path, discriminator],
          message: got === undefined ? `needs '${discriminator}': one of ${choices.join(', ')}` : `${discriminator} must be one of ${choices.join(', ')} (got ${JSON.stringify(got)})`,
        });
      } else {
        problems.push({ path, message: describe(e) });
      }
      continue;
    }
    const message = describe(e);
    problems.push({ path, message: isSecretPath(path) ? hideValue(message, e.value) : message });
  }
  // A union error also reports its parent chain's errors; drop messages already explained deeper.
  return problems.filter((p, i) => problems.findIndex((q) => formatPath(q.path) === formatPath(p.path) && q.message === p.message) === i);
}

/** Errors that leave a value of the right type: the value still means something to the cross-field rules. */
const KEEPS_VALUE = new Set<ValueErrorType>([
  ValueErrorType.ObjectRequiredProperty,
  ValueErrorType.StringPattern,
  ValueErrorType.StringFormat,
  ValueErrorType.StringMinLength,
  ValueErrorType.StringMaxLength,
  ValueErrorType.NumberMinimum,
  ValueErrorType.NumberMaximum,
  ValueErrorType.IntegerMinimum,
  ValueErrorType.IntegerMaximum,
  ValueErrorType.NumberExclusiveMinimum,
  ValueErrorType.ArrayMinItems,
  ValueErrorType.ArrayUniqueItems,
]);

/**
 * The value with what the schema refused taken out (unknown keys, values of the wrong type, object
 * unions such as `snmp` that match no branch), so cross-field rules run in the same pass as the
 * schema. A string that only breaks a pattern or a list of choices is kept: a badly spelled id is
 * still the id another site names as its parent. A refused object inside a list becomes `{}` (indices
 * stay those of the file), any other refused list item a hole. Required fields may be missing.
 */
export function ruleView(schema: TSchema, value: unknown): { view: unknown; removed: Set<string> } | null {
  const view = structuredClone(value);
  const removed = new Set<string>();
  // A refused list item replaced by {} shows only missing fields (kept): a second round settles; 4 is a bound.
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const e of Value.Errors(schema, view)) {
      if (KEEPS_VALUE.has(e.type) || (typeof e.value === 'string' && literalChoices(e.schema))) continue;
      const path = pathSegments(e.path);
      const at = formatPath(path);
      const last = path.pop();
      if (last === undefined) return null;
      let parent: unknown = view;
      for (const seg of path) parent = parent && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[seg] : undefined;
      if (!parent || typeof parent !== 'object' || !(last in parent)) continue;
      const holder = parent as Record<string | number, unknown>;
      if (Array.isArray(parent) && e.schema[Kind] === 'Object') {
        if (typeof holder[last] === 'object' && holder[last] !== null && !Array.isArray(holder[last])) continue;
        holder[last] = {};
      } else {
        delete holder[last];
      }
      removed.add(at);
      changed = true;
    }
    if (!changed) break;
  }
  return { view, removed };
}

/** Whether a rule's problem is about a value the schema already refused (then the schema's message says it). */
export function aboutRemoved(path: Array<string | number>, removed: ReadonlySet<string>): boolean {
  return removed.has(formatPath(path));
}
