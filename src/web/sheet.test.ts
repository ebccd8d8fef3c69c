import { describe, expect, it } from 'vitest';
import type { Site } from '../config/schema.js';
import { MESSAGES } from './i18n.js';
import { communeSheet, siteRows } from './sheet.js';

const full: Site = {
  id: 'nvh-y-ty-lao-chai', name: 'Nhà văn hóa thôn Lao Chải', kind: 'cultural_house', province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý',
  village: 'Lao Chải', lat: 22.6564, lon: 103.6111, host: '192.0.2.12', snmp: { version: '2c', community: 'never-print-me' }, parent: 'ubnd-y-ty',
  uplink: '4g', vendor: 'mikrotik', wan_interface: 'lte1', contacts: [{ name: 'Trưởng thôn Lao Chải', phone: '0912000107', zalo: '0912000107', role: 'trưởng thôn' }], tags: [],
  added: '2025-01-15', sim: { number: '0912 000 207', carrier: 'Viettel' }, isp: { name: 'Viettel', account: 'LC-4G-0207' }, bandwidth: { down_mbps: 20, up_mbps: 5 },
  power: ['solar', 'ups'], key_holder: { name: 'Bà Lý Thị Mai', phone: '0912000108' }, router: { model: 'MikroTik hAP ac³ LTE6', serial: 'HCA08ZZ1234' },
};
const bare: Site = { id: 'dtc-y-ty', name: 'Điểm thông tin công cộng xã Y Tý', kind: 'info_point', province: 'Lào Cai', group: 'Bát Xát', commune: 'Y Tý', host: '192.0.2.11', snmp: false, contacts: [], tags: [] };

const input = (lang: 'vi' | 'en') => ({
  lang, province: 'Lào Cai', commune: 'Y Tý', sites: [full, bare], siteNames: new Map([['ubnd-y-ty', 'UBND xã Y Tý']]), printedAt: Date.UTC(2026, 11, 6, 12, 0), timeZone: 'Asia/Ho_Chi_Minh',
  areas: [
    { level: 'province' as const, name: 'Lào Cai', contacts: [{ name: 'Sở KH&CN Lào Cai (trực)', phone: '0912000345' }] },
    { level: 'commune' as const, name: 'Y Tý', contacts: [{ name: 'Cán bộ CNTT xã Y Tý', phone: '0912000100' }] },
    { level: 'commune' as const, name: 'Tả Van', contacts: [{ name: 'Not this commune', phone: '0912000999' }] },
    { level: 'group' as const, name: 'Bát Xát', contacts: [{ name: 'Cụm Bát Xát (trực)', phone: '0912000555' }] },
    { level: 'commune' as const, name: 'Y Tý', province: 'Khánh Hòa', contacts: [{ name: 'Y Tý of another province', phone: '0912000998' }] },
  ],
});

describe('communeSheet', () => {
  const cases = [
    { name: 'Vietnamese', lang: 'vi' as const, want: ['Điểm Wi-Fi và liên hệ: Y Tý, Lào Cai', 'In lúc 06/12/2026 19:00', 'Nhà văn hóa', 'Điện mặt trời, Bộ lưu điện (UPS)', 'số sê-ri HCA08ZZ1234', 'số hợp đồng LC-4G-0207', 'Người giữ chìa khóa'] },
    { name: 'English', lang: 'en' as const, want: ['Wi-Fi points and contacts: Y Tý, Lào Cai', 'Printed 06/12/2026 19:00', 'Cultural house', 'Solar, UPS', 'serial HCA08ZZ1234', 'account LC-4G-0207', 'Key holder'] },
  ];
  it.each(cases)('$name: every field of the site, in the reader\'s language', ({ lang, want }) => {
    const page = communeSheet(input(lang));
    for (const w of want) expect(page).toContain(w.replace('&', '&amp;'));
    for (const v of ['0912 000 207 (Viettel)', 'MikroTik hAP ac³ LTE6', '↓ 20 / ↑ 5 Mbit/s', 'Bà Lý Thị Mai', '0912000108', 'Trưởng thôn Lao Chải', '192.0.2.12', 'lte1', 'Lao Chải', '22.6564, 103.6111', 'UBND xã Y Tý (ubnd-y-ty)', '2025-01-15']) {
      expect(page).toContain(v);
    }
  });
  it('never prints SNMP access', () => {
    expect(communeSheet(input('en'))).not.toContain('never-print-me');
  });
  it('is A4 print CSS without any script, and whom to call lists this commune then the province only', () => {
    const page = communeSheet(input('vi'));
    expect(page).toContain('@page{size:A4');
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('Not this commune');
    expect(page).not.toContain('Y Tý of another province');
    expect(page.indexOf('Cán bộ CNTT xã Y Tý')).toBeLessThan(page.indexOf('Cụm Bát Xát (trực)'));
    expect(page.indexOf('Cụm Bát Xát (trực)')).toBeLessThan(page.indexOf('Sở KH&amp;CN Lào Cai'));
    expect(communeSheet({ ...input('vi'), groupLabel: 'Huyện (cũ)' })).toContain('Huyện (cũ): Bát Xát');
  });
  it('a Vietnamese sheet carries no English label', () => {
    const page = communeSheet({ ...input('vi'), backHref: '/board' });
    const englishOnly = Object.entries(MESSAGES.en).filter(([k, v]) => (k.startsWith('sheet_') || k.startsWith('power_') || k.startsWith('site_kind_') || k.startsWith('uplink_') || k.startsWith('level_')) && !(MESSAGES.vi as Record<string, string>)[k]!.includes(v));
    for (const [k, v] of englishOnly) expect(page, k).not.toContain(v.replace(/\{\w+\}.*$/, '').trim() || '\u0000');
  });
  it('escapes what the inventory says', () => {
    const page = communeSheet({ ...input('en'), sites: [{ ...bare, name: '<b>x</b>' }] });
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
  it('a site with nothing extra shows only the rows it has', () => {
    expect(siteRows('en', bare, new Map()).map(([k]) => k)).toEqual(['Type', 'Group', 'Router address', 'Id']);
    expect(siteRows('vi', bare, new Map(), 'Huyện (cũ)').map(([k]) => k)).toEqual(['Loại điểm', 'Huyện (cũ)', 'Địa chỉ bộ định tuyến', 'Mã điểm']);
  });
});
