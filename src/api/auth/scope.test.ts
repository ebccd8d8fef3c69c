import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { can, inScope, parseScope, readScope, scopeWithHistory, type Principal } from './scope.js';
import { createPlaceResolver } from '../../inventory/places.js';

const area = { commune: 'Xã An', group: 'Cụm Một', province: 'Tỉnh Thử' };
const p = (role: Principal['role'], scope: Principal['scope']): Principal => ({ id: 1, name: 'u', role, scope, lang: null });

describe('inScope', () => {
  const cases = [
    { name: 'admin sees everything', who: p('admin', []), want: true },
    { name: 'operator of the commune', who: p('operator', [{ level: 'commune', name: 'Xã An' }]), want: true },
    { name: 'operator of another commune', who: p('operator', [{ level: 'commune', name: 'Xã Bình' }]), want: false },
    { name: 'operator of the commune by province + name', who: p('operator', [{ level: 'commune', name: 'Tỉnh Thử/Xã An' }]), want: true },
    { name: 'operator of the same commune name in another province', who: p('operator', [{ level: 'commune', name: 'Tỉnh Khác/Xã An' }]), want: false },
    { name: 'reviewer of the group', who: p('reviewer', [{ level: 'group', name: 'Cụm Một' }]), want: true },
    { name: 'reviewer of the province', who: p('reviewer', [{ level: 'province', name: 'Tỉnh Thử' }]), want: true },
    { name: 'reviewer of another group', who: p('reviewer', [{ level: 'group', name: 'Cụm Hai' }]), want: false },
    { name: 'a commune NAMED like the group does not match at commune level', who: p('operator', [{ level: 'commune', name: 'Cụm Một' }]), want: false },
    { name: 'several communes', who: p('trainee', [{ level: 'commune', name: 'Xã Bình' }, { level: 'commune', name: 'Xã An' }]), want: true },
    { name: 'no scope sees nothing', who: p('operator', []), want: false },
  ] as const;
  it.each(cases)('$name', ({ who, want }) => expect(inScope(who as Principal, area)).toBe(want));

  it('a group scope never covers a site without a group', () => {
    expect(inScope(p('reviewer', [{ level: 'group', name: 'Cụm Một' }]), { commune: 'Xã An', province: 'Tỉnh Thử' })).toBe(false);
  });

  it('users stored before the reform: a district scope is read as the group of that name', () => {
    const who = p('reviewer', readScope([{ level: 'district', name: 'Cụm Một' }]));
    expect(who.scope).toEqual([{ level: 'group', name: 'Cụm Một' }]);
    expect(inScope(who, area)).toBe(true);
  });
});

describe('can', () => {
  const table = {
    admin: { view: true, acknowledge: true, runbook: true, maintenance: true, reload: true, audit: true },
    operator: { view: true, acknowledge: true, runbook: true, maintenance: true, reload: false, audit: false },
    trainee: { view: true, acknowledge: true, runbook: true, maintenance: false, reload: false, audit: false },
    reviewer: { view: true, acknowledge: false, runbook: false, maintenance: false, reload: false, audit: false },
  } as const;
  const cases = Object.entries(table).flatMap(([role, acts]) => Object.entries(acts).map(([action, want]) => ({ role, action, want })));
  it.each(cases)('$role $action → $want', ({ role, action, want }) => {
    expect(can(p(role as Principal['role'], []), action as Parameters<typeof can>[1])).toBe(want);
  });
});

describe('parseScope', () => {
  const ok = [
    { name: 'one commune', text: 'commune:Xã An', role: 'operator', want: [{ level: 'commune', name: 'Xã An' }] },
    { name: 'spaces trimmed, several', text: ' commune: Xã An , commune:Xã Bình ', role: 'trainee', want: [{ level: 'commune', name: 'Xã An' }, { level: 'commune', name: 'Xã Bình' }] },
    { name: 'reviewer province', text: 'province:Tỉnh Thử', role: 'reviewer', want: [{ level: 'province', name: 'Tỉnh Thử' }] },
    { name: 'reviewer group; district: read as group', text: 'group:Cụm Một,district:Cụm Hai', role: 'reviewer', want: [{ level: 'group', name: 'Cụm Một' }, { level: 'group', name: 'Cụm Hai' }] },
    { name: 'a commune by province + name', text: 'commune:Tỉnh Thử/Xã An', role: 'operator', want: [{ level: 'commune', name: 'Tỉnh Thử/Xã An' }] },
    { name: 'admin without scope', text: undefined, role: 'admin', want: [] },
  ] as const;
  it.each(ok)('$name', ({ text, role, want }) => expect(parseScope(text, role)).toEqual(want));

  const bad = [
    { name: 'no colon', text: 'Xã An', role: 'operator', msg: '"Xã An" is not level:name' },
    { name: 'unknown level', text: 'village:Thôn 1', role: 'operator', msg: '"village:Thôn 1" is not level:name' },
    { name: 'empty name', text: 'commune:', role: 'operator', msg: 'is not level:name' },
    { name: 'operator with a group', text: 'group:Cụm Một', role: 'operator', msg: 'a operator may be given commune scopes, not group:Cụm Một' },
    { name: 'reviewer with a commune', text: 'commune:Xã An', role: 'reviewer', msg: 'a reviewer may be given group or province scopes' },
    { name: 'operator without scope', text: '', role: 'operator', msg: 'a operator needs a scope' },
  ] as const;
  it.each(bad)('rejects $name', ({ text, role, msg }) => {
    expect(() => parseScope(text, role)).toThrow(InputError);
    expect(() => parseScope(text, role)).toThrow(msg);
  });
});

describe('scopeWithHistory: users across the 2025 mergers', () => {
  const sites = [{ province: 'Lào Cai', commune: 'Y Tý' }, { province: 'Lào Cai', commune: 'A Mú Sung' }];
  const communes = [{ province: 'Lào Cai', name: 'Y Tý', former_names: [{ name: 'Trịnh Tường', district: 'Bát Xát' }] }];
  const resolver = createPlaceResolver(sites, communes);
  const formers = new Map([['Lào Cai/Y Tý', ['Trịnh Tường']]]);
  it('a trainee of a former commune keeps its sites, now in the commune it became', () => {
    const who = p('trainee', scopeWithHistory([{ level: 'commune', name: 'Trịnh Tường' }], resolver, formers));
    expect(inScope(who, { province: 'Lào Cai', commune: 'Y Tý' })).toBe(true);
    expect(inScope(who, { province: 'Lào Cai', commune: 'A Mú Sung' })).toBe(false);
  });
  it('an operator of the current commune sees incidents recorded under its former names', () => {
    const who = p('operator', scopeWithHistory([{ level: 'commune', name: 'Y Tý' }], resolver, formers));
    expect(inScope(who, { province: 'Lào Cai', commune: 'Trịnh Tường' })).toBe(true);
    expect(inScope(who, { province: 'Điện Biên', commune: 'Trịnh Tường' })).toBe(false);
  });
  it('without the communes section nothing changes', () => {
    expect(scopeWithHistory([{ level: 'commune', name: 'Y Tý' }], createPlaceResolver(sites), new Map())).toEqual([{ level: 'commune', name: 'Y Tý' }]);
  });
});
