/**
 * The runbook checklist is ONE form of checkboxes (works without JavaScript): what it posts is
 * turned into step records here, pure. Only what changed is recorded (a tick, an untick, a note),
 * so saving the form twice adds nothing to the training record.
 */
import type { RunbookStepRecord } from '../api/deps.js';
import { badRequest } from '../api/errors.js';

export interface StepChange {
  step: number;
  done: boolean;
  note: string | null;
}

/** `done`: the ticked boxes as posted (absent, one value or several); `notes`: step → note text. */
export function stepChanges(
  done: string | string[] | undefined,
  notes: ReadonlyMap<number, string>,
  current: readonly RunbookStepRecord[],
  stepCount: number,
): StepChange[] {
  const ticked = new Set<number>();
  for (const v of done === undefined ? [] : Array.isArray(done) ? done : [done]) {
    const n = Number(v);
    if (!/^[0-9]{1,3}$/.test(v) || n < 1 || n > stepCount) throw badRequest(`done: "${v}" is not a step of this runbook (1 to ${stepCount})`, 'done');
    ticked.add(n);
  }
  for (const n of notes.keys()) {
    if (n < 1 || n > stepCount) throw badRequest(`note_${n}: not a step of this runbook (1 to ${stepCount})`, `note_${n}`);
  }
  const now = new Map(current.map((r) => [r.step, r.done]));
  const out: StepChange[] = [];
  for (let n = 1; n <= stepCount; n++) {
    const want = ticked.has(n);
    const note = notes.get(n)?.trim() || null;
    if (want !== (now.get(n) ?? false) || note) out.push({ step: n, done: want, note });
  }
  return out;
}

/** `note_3` → 3 for every note field of a posted form. */
export function notesOf(body: Record<string, unknown>): Map<number, string> {
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(body)) {
    const m = /^note_([0-9]{1,3})$/.exec(k);
    if (m && typeof v === 'string') out.set(Number(m[1]), v);
  }
  return out;
}
