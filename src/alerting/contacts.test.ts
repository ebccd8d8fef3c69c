import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../config/defaults.js';
import type { Contact, Inventory } from '../config/schema.js';
import type { Place } from '../inventory/places.js';
import { contactLine, contactWarnings, nextLevelUp, resolveContacts } from './contacts.js';
import { site } from './testkit.js';

const area: Place = { province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý' };
const noGroup: Place = { province: 'Khánh Hòa', commune: 'Bác Ái' };
const villageHead: Contact = { name: 'Trưởng thôn Lao Chải', phone: '0912000107' };
const keyHolder: Contact = { name: 'Bà Hoa', role: 'giữ chìa khóa nhà văn hóa', phone: '0912000108' };
const isp: Contact = { name: 'Tổng đài VNPT', role: 'nhà mạng VNPT', phone: '18001091' };
const communeIt: Contact = { name: 'Cán bộ CNTT xã Y Tý', role: 'cán bộ CNTT xã', phone: '0912000100' };
const province: Contact = { name: 'Sở VHTT Lào Cai', phone: '02143840000' };
const cluster: Contact = { name: 'Phòng VHTT Bát Xát', phone: '02143883000' };

const twoLevels = settingsWithDefaults({ alerting: { escalation: [{ after: '30m', level: 'province' }] } });
const threeLevels = settingsWithDefaults({ alerting: { escalation: [{ after: '30m', level: 'group' }, { after: '2h', level: 'province' }] } });

describe('resolveContacts: each contact from where it belongs', () => {
  const cases: Array<{
    name: string; place?: Place; contacts: Contact[]; areas: Inventory['areas']; settings?: typeof twoLevels;
    want: { site: string | null; commune: string | null; level: string | null; up: string | null; isp: string | null };
  }> = [
    {
      name: 'the key holder by role, the commune from its area, the province as next level up',
      contacts: [villageHead, keyHolder], areas: [{ level: 'commune', name: 'Y Tý', contacts: [communeIt] }, { level: 'province', name: 'Lào Cai', contacts: [province] }],
      want: { site: 'Bà Hoa', commune: 'Cán bộ CNTT xã Y Tý', level: 'province', up: 'Sở VHTT Lào Cai', isp: null },
    },
    {
      name: 'no key-holder role: the site\'s first contact (a person at the site)',
      contacts: [villageHead], areas: [],
      want: { site: 'Trưởng thôn Lao Chải', commune: null, level: 'province', up: null, isp: null },
    },
    {
      name: 'no commune area: commune_contact is NOT the site\'s own contact',
      contacts: [villageHead, communeIt], areas: [],
      want: { site: 'Trưởng thôn Lao Chải', commune: null, level: 'province', up: null, isp: null },
    },
    {
      name: 'the ISP is never the key holder nor the commune contact',
      contacts: [isp], areas: [{ level: 'commune', name: 'Y Tý', contacts: [isp, communeIt] }],
      want: { site: null, commune: 'Cán bộ CNTT xã Y Tý', level: 'province', up: null, isp: 'Tổng đài VNPT' },
    },
    {
      name: 'another commune\'s contact is not ours',
      contacts: [], areas: [{ level: 'commune', name: 'A Mú Sung', contacts: [communeIt] }],
      want: { site: null, commune: null, level: 'province', up: null, isp: null },
    },
    {
      name: 'a province that keeps a grouping level: escalation goes to the group first',
      contacts: [], areas: [{ level: 'group', name: 'Bát Xát', contacts: [cluster] }, { level: 'province', name: 'Lào Cai', contacts: [province] }], settings: threeLevels,
      want: { site: null, commune: null, level: 'group', up: 'Phòng VHTT Bát Xát', isp: null },
    },
    {
      name: 'a group step, but this province has no groups: the province is next',
      place: noGroup, contacts: [], areas: [{ level: 'province', name: 'Khánh Hòa', contacts: [province] }], settings: threeLevels,
      want: { site: null, commune: null, level: 'province', up: 'Sở VHTT Lào Cai', isp: null },
    },
    {
      name: 'a commune of the same name in another province is not ours',
      place: noGroup, contacts: [], areas: [{ level: 'commune', name: 'Bác Ái', province: 'Ninh Thuận', contacts: [communeIt] }],
      want: { site: null, commune: null, level: 'province', up: null, isp: null },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = resolveContacts(site('s', { contacts: c.contacts }), c.place ?? area, { areas: c.areas }, c.settings ?? twoLevels);
      expect({
        site: r.site_contact?.name ?? null, commune: r.commune_contact?.name ?? null, level: r.escalation_level,
        up: r.escalation_contact?.name ?? null, isp: r.isp_contact?.name ?? null,
      }).toEqual(c.want);
    });
  }
  it("the site's key_holder field comes first", () => {
    const r = resolveContacts(site('s', { contacts: [villageHead], key_holder: { name: 'Người trông nhà văn hóa', phone: '0912000403' } }), area, { areas: [] }, twoLevels);
    expect(r.site_contact?.name).toBe('Người trông nhà văn hóa');
  });
  it('a commune-level incident (no site) has no site contact', () => {
    expect(resolveContacts(null, area, { areas: [] }, twoLevels).site_contact).toBeNull();
  });
  it('no escalation configured: no next level', () => {
    expect(nextLevelUp(settingsWithDefaults({ alerting: { escalation: [] } }))).toBeNull();
  });
});

describe('contactLine', () => {
  it('name, role and phone; missing reads "chưa khai báo"', () => {
    expect(contactLine(keyHolder, 'vi')).toBe('Bà Hoa (giữ chìa khóa nhà văn hóa): 0912000108');
    expect(contactLine({ name: 'Chị Mai', zalo: '0987654321' }, 'vi')).toBe('Chị Mai: 0987654321');
    expect(contactLine(null, 'vi')).toBe('(chưa khai báo)');
    expect(contactLine(null, 'en')).toBe('(not declared)');
  });
});

describe('contactWarnings: what check-config warns about', () => {
  it('a site without contacts, a commune without an area contact: each once, never about another province\'s commune', () => {
    const inv: Inventory = {
      sites: [
        site('a', { commune: 'Y Tý', province: 'Lào Cai', contacts: [villageHead] }),
        site('b', { commune: 'Y Tý', province: 'Lào Cai' }),
        site('c', { commune: 'A Mú Sung', province: 'Lào Cai', contacts: [keyHolder] }),
        site('d', { commune: 'A Mú Sung', province: 'Hà Giang', contacts: [keyHolder] }),
      ],
      areas: [{ level: 'commune', name: 'A Mú Sung', province: 'Lào Cai', contacts: [communeIt] }],
    };
    expect(contactWarnings(inv, twoLevels).map((w) => `${w.path.join('.')}: ${w.message}`)).toEqual([
      `sites.1.contacts: site 'b' has no contact at the site (key holder): runbooks will show {{site_contact}} as "not declared"`,
      `sites.0.commune: commune 'Y Tý' has no area contact (areas: level commune): runbooks will show {{commune_contact}} as "not declared"`,
      `sites.3.commune: commune 'A Mú Sung' has no area contact (areas: level commune): runbooks will show {{commune_contact}} as "not declared"`,
    ]);
  });
  it('nothing to say when every contact is declared', () => {
    const inv: Inventory = {
      sites: [site('a', { commune: 'Y Tý', province: 'Lào Cai', contacts: [keyHolder] })],
      areas: [{ level: 'commune', name: 'Y Tý', contacts: [communeIt] }, { level: 'province', name: 'Lào Cai', contacts: [province] }],
    };
    expect(contactWarnings(inv, twoLevels)).toEqual([]);
  });
});
