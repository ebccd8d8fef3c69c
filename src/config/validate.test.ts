import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ruleView } from './validate.js';

const Item = Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }), n: Type.Optional(Type.Number()), kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])) }, { additionalProperties: false });
const Doc = Type.Object({ items: Type.Array(Item), tags: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false });

describe('ruleView: what the cross-field rules may still read', () => {
  const cases: Array<{ name: string; value: unknown; view: unknown; removed: string[] }> = [
    { name: 'a valid value is unchanged', value: { items: [{ id: 'x', n: 1 }] }, view: { items: [{ id: 'x', n: 1 }] }, removed: [] },
    { name: 'an unknown key goes, the rest of the item stays', value: { items: [{ id: 'x', extra: 1 }, { id: 'y' }] }, view: { items: [{ id: 'x' }, { id: 'y' }] }, removed: ['items[0].extra'] },
    { name: 'a value of the wrong type goes', value: { items: [{ id: 'x', n: 'one' }] }, view: { items: [{ id: 'x' }] }, removed: ['items[0].n'] },
    { name: 'a string against its pattern stays (others may name it)', value: { items: [{ id: 'X-1' }] }, view: { items: [{ id: 'X-1' }] }, removed: [] },
    { name: 'a string outside its choices stays', value: { items: [{ id: 'x', kind: 'c' }] }, view: { items: [{ id: 'x', kind: 'c' }] }, removed: [] },
    { name: 'a number where a choice is expected goes', value: { items: [{ id: 'x', kind: 3 }] }, view: { items: [{ id: 'x' }] }, removed: ['items[0].kind'] },
    { name: 'a missing required field stays missing', value: { items: [{ n: 2 }] }, view: { items: [{ n: 2 }] }, removed: [] },
    { name: 'an item that is not a mapping becomes {} so later indices stay those of the file', value: { items: ['oops', { id: 'y' }] }, view: { items: [{}, { id: 'y' }] }, removed: ['items[0]'] },
    { name: 'a list that is not a list goes', value: { items: [], tags: 'a,b' }, view: { items: [] }, removed: ['tags'] },
  ];
  it.each(cases)('$name', ({ value, view, removed }) => {
    const r = ruleView(Doc, value);
    expect(r?.view).toEqual(view);
    expect([...r!.removed]).toEqual(removed);
  });
  it('a top level of the wrong type leaves nothing to read', () => {
    expect(ruleView(Doc, 'text')).toBeNull();
  });
  it('never changes the value it was given', () => {
    const value = { items: [{ id: 'x', extra: 1 }] };
    ruleView(Doc, value);
    expect(value).toEqual({ items: [{ id: 'x', extra: 1 }] });
  });
});
