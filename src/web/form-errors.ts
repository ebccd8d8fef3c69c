/**
 * What was wrong with a form, in the reader's language, pure. The API keeps its English error
 * shape (`{ error: { code, message, field } }`); a page turns the same failure into a FormProblem
 * (the field, the kind of mistake and its figures) and says it from the locale, naming the field
 * by the label the form shows. Fastify's validation errors and the Service's ApiErrors both map here.
 */
import type { FastifyError } from 'fastify';
import type { Lang } from '../config/schema.js';
import { ApiError } from '../api/errors.js';
import { t, type MsgKey } from './i18n.js';

export type ProblemReason =
  | 'required' | 'empty' | 'too_long' | 'unknown_field' | 'invalid' | 'not_a_date' | 'not_a_day' | 'not_a_step'
  | 'after' | 'span' | 'not_found' | 'no_target' | 'csrf';

export interface FormProblem {
  /** The form field (`cause_found`, `note_3`, `_csrf`), or '' when it is the request as a whole. */
  field: string;
  reason: ProblemReason;
  /** A limit (characters, days, the last step). */
  n?: number;
  /** What was typed (a step number, a site id), when it helps to repeat it. */
  value?: string;
  /** The other field of a comparison (`end` is after `start`). */
  other?: string;
}

/** The label each form shows for its fields (the same keys as the forms use). */
const FIELD_LABELS: Record<string, MsgKey> = {
  username: 'username', password: 'password', name: 'your_name', note: 'note',
  cause_found: 'outcome_cause_found', actions: 'outcome_actions', parts: 'outcome_parts', done: 'field_done',
  sites: 'sites_field', communes: 'communes_field', groups: 'groups_field', start: 'start', end: 'end', reason: 'reason',
  from: 'from', to: 'to', group_by: 'group_by', show: 'board_problems', _csrf: 'field_form_token', status: 'state',
};

export function fieldLabel(lang: Lang, field: string): string {
  const note = /^note_([0-9]{1,3})$/.exec(field);
  if (note) return t(lang, 'field_note_n', { n: Number(note[1]) });
  const key = FIELD_LABELS[field];
  return key ? t(lang, key) : field;
}

/** The problem as one sentence in `lang`. `typed` is the value as posted (for "too long: 4,210 characters"). */
export function problemText(lang: Lang, p: FormProblem, typed?: unknown): string {
  const field = fieldLabel(lang, p.field);
  switch (p.reason) {
    case 'unknown_field': return t(lang, 'problem_unknown_field', { field: p.field });
    case 'no_target': return t(lang, 'problem_no_target');
    case 'csrf': return t(lang, 'problem_csrf');
    case 'too_long': return t(lang, 'problem_too_long', { field, n: p.n ?? 0, got: typeof typed === 'string' ? [...typed].length : '?' });
    case 'not_a_step': return t(lang, 'problem_not_a_step', { field, value: p.value ?? '', n: p.n ?? 0 });
    case 'after': return t(lang, 'problem_after', { field, other: fieldLabel(lang, p.other ?? '') });
    case 'span': return t(lang, 'problem_span', { field, n: p.n ?? 0 });
    case 'not_found': return t(lang, 'problem_not_found', { field, value: p.value ?? '' });
    default: return t(lang, FIELD_ONLY[p.reason], { field });
  }
}

/** The reasons said with the field's label alone (the compiler checks each has its text). */
const FIELD_ONLY: Record<Exclude<ProblemReason, 'unknown_field' | 'no_target' | 'csrf' | 'too_long' | 'not_a_step' | 'after' | 'span' | 'not_found'>, MsgKey> = {
  required: 'problem_required', empty: 'problem_empty', invalid: 'problem_invalid', not_a_date: 'problem_not_a_date', not_a_day: 'problem_not_a_day',
};

/**
 * A failure of what the user typed into a form (a body or a query string), else null: a bad path
 * parameter, a missing session, a role that may not act or an unknown id are not the form's fault.
 */
export function problemOf(err: unknown): FormProblem | null {
  if (err instanceof ApiError) return apiProblem(err);
  const fe = err as FastifyError;
  if (!fe || !Array.isArray(fe.validation) || !fe.validation.length) return null;
  if (fe.validationContext !== 'body' && fe.validationContext !== 'querystring') return null;
  const v = fe.validation[0]!;
  const params = (v.params ?? {}) as Record<string, unknown>;
  const path = v.instancePath.split('/').filter(Boolean);
  // `done` may come as a list: /done/1 is still the field `done`
  const field = path[0] ?? '';
  if (typeof params.additionalProperty === 'string') return { field: params.additionalProperty, reason: 'unknown_field' };
  if (typeof params.missingProperty === 'string') {
    return params.missingProperty === '_csrf' ? { field: '_csrf', reason: 'csrf' } : { field: params.missingProperty, reason: 'required' };
  }
  if (field === '_csrf') return { field, reason: 'csrf' };
  if (v.keyword === 'maxLength' && typeof params.limit === 'number') return { field, reason: 'too_long', n: params.limit };
  if (v.keyword === 'minLength') return { field, reason: 'empty' };
  if (v.keyword === 'maxItems' || v.keyword === 'maxProperties') return { field, reason: 'invalid' };
  return { field, reason: 'invalid' };
}

/** The Service's and the routes' refusals that are about a field the user filled in. */
function apiProblem(err: ApiError): FormProblem | null {
  if (err.code === 'csrf') return { field: '_csrf', reason: 'csrf' };
  const field = err.field;
  if (!field) return null;
  if (err.code === 'not_found') {
    if (field !== 'sites' && field !== 'communes' && field !== 'groups') return null;
    // "site a9 not found", "commune Tỉnh Thử/Xã Dốc not found": the name given
    const m = /^\S+ (.*) not found$/.exec(err.message);
    return { field, reason: 'not_found', value: m?.[1] ?? '' };
  }
  if (err.code !== 'bad_request') return null;
  const msg = err.message;
  let m: RegExpExecArray | null;
  if ((m = /^(?:done|note_\d+): (?:"([^"]*)" )?(?:is )?not a step of this runbook \(1 to (\d+)\)$/.exec(msg))) {
    return { field, reason: 'not_a_step', value: m[1] ?? field.replace(/^note_/, ''), n: Number(m[2]) };
  }
  if (/is not a date and time$/.test(msg)) return { field, reason: 'not_a_date' };
  if (/is not a date \(YYYY-MM-DD\)$/.test(msg)) return { field, reason: 'not_a_day' };
  if ((m = /^(end|to) must be after (start|from)$/.exec(msg))) return { field, reason: 'after', other: m[2]! };
  if ((m = /^the span may be at most (\d+) days$/.exec(msg))) return { field, reason: 'span', n: Number(m[1]) };
  if (/^name at least one of/.test(msg)) return { field, reason: 'no_target' };
  if (field === 'cause_found' || field === 'actions') return { field, reason: 'empty' };
  return { field, reason: 'invalid' };
}

/** Form values as posted, as text (a repeated field keeps its list): what goes back into the form. */
export function formValues(body: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
  }
  return out;
}

/** One value of a posted field as text (the first of a repeated one). */
export function one(values: Record<string, string | string[]>, k: string): string | undefined {
  const v = values[k];
  return Array.isArray(v) ? v.join('\n') : v;
}

const HTTP_TEXT = [400, 403, 404, 409, 410, 413, 415, 429, 500, 503] as const;

/** What a status means for the reader, from the locale (other 4xx read as 400, other 5xx as 500). */
export function statusText(lang: Lang, status: number): string {
  const s = (HTTP_TEXT as readonly number[]).includes(status) ? status : status >= 500 ? 500 : 400;
  return t(lang, `http_${s}` as MsgKey);
}
