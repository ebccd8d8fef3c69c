import { describe, expect, it } from 'vitest';
import { englishWordsIn } from '../core/english-words.js';
import { ApiError, badRequest, notFound } from '../api/errors.js';
import { problemOf, problemText, statusText, type FormProblem } from './form-errors.js';

const validation = (context: string, v: { keyword: string; instancePath: string; params: Record<string, unknown> }) =>
  Object.assign(new Error('body/x'), { statusCode: 400, validation: [{ ...v, message: 'x' }], validationContext: context });

describe('problemOf', () => {
  const cases: Array<{ name: string; err: unknown; want: FormProblem | null }> = [
    { name: 'a missing field', err: validation('body', { keyword: 'required', instancePath: '', params: { missingProperty: 'actions' } }), want: { field: 'actions', reason: 'required' } },
    { name: 'the missing form token is an expired form', err: validation('body', { keyword: 'required', instancePath: '', params: { missingProperty: '_csrf' } }), want: { field: '_csrf', reason: 'csrf' } },
    { name: 'too long, with the limit', err: validation('body', { keyword: 'maxLength', instancePath: '/actions', params: { limit: 4000 } }), want: { field: 'actions', reason: 'too_long', n: 4000 } },
    { name: 'an unknown field', err: validation('body', { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'by' } }), want: { field: 'by', reason: 'unknown_field' } },
    { name: 'a query value not allowed', err: validation('querystring', { keyword: 'enum', instancePath: '/group_by', params: {} }), want: { field: 'group_by', reason: 'invalid' } },
    { name: 'a bad path parameter is not the form\'s fault', err: validation('params', { keyword: 'enum', instancePath: '/lang', params: {} }), want: null },
    { name: 'an empty outcome field', err: badRequest('actions: say what was done', 'actions'), want: { field: 'actions', reason: 'empty' } },
    { name: 'a step that is not one', err: badRequest('done: "42" is not a step of this runbook (1 to 10)', 'done'), want: { field: 'done', reason: 'not_a_step', value: '42', n: 10 } },
    { name: 'a note on a step that is not one', err: badRequest('note_12: not a step of this runbook (1 to 10)', 'note_12'), want: { field: 'note_12', reason: 'not_a_step', value: '12', n: 10 } },
    { name: 'end before start', err: badRequest('end must be after start', 'end'), want: { field: 'end', reason: 'after', other: 'start' } },
    { name: 'a span too long', err: badRequest('the span may be at most 366 days', 'from'), want: { field: 'from', reason: 'span', n: 366 } },
    { name: 'an unknown site in the form', err: notFound('site a9', 'sites'), want: { field: 'sites', reason: 'not_found', value: 'a9' } },
    { name: 'an unknown incident is not the form\'s fault', err: notFound('incident 9', 'id'), want: null },
    { name: 'a role that may not act is not the form\'s fault', err: new ApiError(403, 'forbidden', 'no'), want: null },
    { name: 'a wrong form token', err: new ApiError(403, 'csrf', 'missing or wrong CSRF token'), want: { field: '_csrf', reason: 'csrf' } },
    { name: 'anything else', err: new Error('boom'), want: null },
  ];
  it.each(cases)('$name', ({ err, want }) => expect(problemOf(err)).toEqual(want));
});

describe('problemText', () => {
  const problems: FormProblem[] = [
    { field: 'actions', reason: 'required' }, { field: 'cause_found', reason: 'empty' }, { field: 'note_3', reason: 'too_long', n: 2000 },
    { field: 'by', reason: 'unknown_field' }, { field: 'group_by', reason: 'invalid' }, { field: 'start', reason: 'not_a_date' },
    { field: 'from', reason: 'not_a_day' }, { field: 'done', reason: 'not_a_step', value: '42', n: 10 }, { field: 'end', reason: 'after', other: 'start' },
    { field: 'from', reason: 'span', n: 366 }, { field: 'sites', reason: 'not_found', value: 'a9' }, { field: 'sites', reason: 'no_target' }, { field: '_csrf', reason: 'csrf' },
  ];
  it.each(problems)('$reason on $field: Vietnamese without an English word (the unknown field aside), and English', (p) => {
    const vi = problemText('vi', p, 'x'.repeat(2100));
    expect(englishWordsIn(vi.replace('(by)', ''))).toEqual([]);
    expect(problemText('en', p, 'x'.repeat(2100))).not.toBe(vi);
  });
  it('names the field by its label and counts what was typed', () => {
    expect(problemText('vi', { field: 'note_3', reason: 'too_long', n: 2000 }, 'ắ'.repeat(2001))).toBe('Ghi chú bước 3: quá dài (2001 ký tự; tối đa 2000).');
    expect(problemText('en', { field: 'end', reason: 'after', other: 'start' })).toBe('End: must be later than Start.');
  });
});

describe('statusText', () => {
  it.each([400, 401, 403, 404, 405, 409, 410, 413, 414, 415, 429, 500, 502, 503])('%i: Vietnamese without an English word, and English', (status) => {
    expect(englishWordsIn(statusText('vi', status))).toEqual([]);
    expect(statusText('en', status)).not.toBe(statusText('vi', status));
  });
  it('a status without its own text reads as its class', () => {
    expect(statusText('vi', 414)).toBe(statusText('vi', 400));
    expect(statusText('en', 502)).toBe('Something went wrong on the server. Try again later.');
  });
});
