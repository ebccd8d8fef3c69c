import { describe, expect, it } from 'vitest';
import type { RunbookStepRecord } from '../api/deps.js';
import { ApiError } from '../api/errors.js';
import { notesOf, stepChanges } from './steps-form.js';

const rec = (step: number, done: boolean): RunbookStepRecord => ({ step, done, by: 'x', at: 0, note: null });

describe('stepChanges', () => {
  const cases: Array<{ name: string; done: string | string[] | undefined; notes?: Array<[number, string]>; current?: RunbookStepRecord[]; want: Array<[number, boolean, string | null]> }> = [
    { name: 'nothing ticked, nothing recorded', done: undefined, want: [] },
    { name: 'one box ticked', done: '2', want: [[2, true, null]] },
    { name: 'two boxes ticked', done: ['1', '3'], want: [[1, true, null], [3, true, null]] },
    { name: 'saving again adds nothing', done: ['1', '3'], current: [rec(1, true), rec(3, true)], want: [] },
    { name: 'an unticked box is recorded as undone', done: ['3'], current: [rec(1, true), rec(3, true)], want: [[1, false, null]] },
    { name: 'a note on an unchanged step is recorded', done: ['1'], current: [rec(1, true)], notes: [[1, '  đèn PWR tắt ']], want: [[1, true, 'đèn PWR tắt']] },
    { name: 'a blank note is no change', done: undefined, notes: [[2, '   ']], want: [] },
    { name: 'an undone step ticked again', done: ['2'], current: [rec(2, false)], want: [[2, true, null]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = stepChanges(c.done, new Map(c.notes ?? []), c.current ?? [], 5);
      expect(got.map((g) => [g.step, g.done, g.note])).toEqual(c.want);
    });
  }

  const bad: Array<{ name: string; done: string | string[]; notes?: Array<[number, string]>; field: string }> = [
    { name: 'a step past the end', done: '6', field: 'done' },
    { name: 'step zero', done: ['0'], field: 'done' },
    { name: 'not a number', done: ['1', 'x'], field: 'done' },
    { name: 'a note for a step past the end', done: [], notes: [[9, 'x']], field: 'note_9' },
  ];
  for (const c of bad) {
    it(`400 for ${c.name}, naming ${c.field}`, () => {
      try {
        stepChanges(c.done, new Map(c.notes ?? []), [], 5);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ApiError);
        expect((e as ApiError).statusCode).toBe(400);
        expect((e as ApiError).field).toBe(c.field);
      }
    });
  }

  it('notesOf picks note_N fields only', () => {
    expect([...notesOf({ note_1: 'a', note_12: 'b', name: 'x', at: '1', note_x: 'c' })]).toEqual([[1, 'a'], [12, 'b']]);
  });
});
