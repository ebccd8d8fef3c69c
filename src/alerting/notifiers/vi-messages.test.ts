/**
 * Every alert kind, every event, every channel's text in Vietnamese: no English word in it
 * (details come from structured fields through the locale), the kind named in every SMS, and the
 * brandname SMS (gsm7, one part) pure GSM-7 within 160 characters on the example province's
 * real site names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { englishWordsIn } from '../../core/english-words.js';
import { KIND_NAMES } from '../../core/glossary.js';
import { ALERT_KINDS, type AlertKind, type Notice } from '../notice.js';
import { buildEmail, buildSms, buildSubject, buildTelegramHtml, buildText, zaloValues } from './messages.js';
import { isGsm7, smsUnits, stripDiacritics } from './sms-encoding.js';
import { firingDown } from './testdata/notices.js';

/** A detail of the form the engine writes for each kind. */
const DETAIL: Record<AlertKind, string> = {
  'site-down': 'no ping reply: 5 sent, 0 received, 2 checks',
  'upstream-down': 'no ping reply: 5 sent, 0 received, 2 checks (host unreachable)',
  'power-cut-suspected': '3 of 4 sites down within 3m (75% >= 60%): power cut suspected',
  'high-loss': 'loss_pct 42 > 20 for 3 checks',
  'high-latency': 'rtt_avg_ms 812.4 > 300 for 3 checks',
  'snmp-unreachable': 'snmp timeout while ping answers for 3 checks',
  'wan-interface-down': 'wan ether1 oper down (admin down) for 3 checks',
  saturation: 'saturation_pct 95 > 90 on wan ether1 for 3 checks',
  flapping: '6 state changes in 30m',
  rebooted: 'router rebooted at 2026-11-22T00:40:00.000Z (power blip?)',
  'weak-signal': 'rsrp_dbm -118 < -110, sinr_db -2 < 0 for 3 checks',
  'quota-exhausted': 'quota_exhausted: the router reports its data package used up for 3 checks',
};
const RESOLVE: Record<AlertKind, string> = {
  'site-down': 'replies again after no ping reply: 5 sent, 0 received, 9 checks',
  'upstream-down': 'replies again after an outage',
  'power-cut-suspected': "the commune's sites answer again",
  'high-loss': 'cleared for 2 checks',
  'high-latency': 'cleared for 2 checks',
  'snmp-unreachable': 'cleared for 2 checks',
  'wan-interface-down': 'cleared for 2 checks',
  saturation: 'cleared for 2 checks',
  flapping: 'settled: 2 state changes in 30m',
  rebooted: 'informational: back up by the next check',
  'weak-signal': 'cleared for 2 checks',
  'quota-exhausted': 'cleared for 2 checks',
};

function notices(kind: AlertKind): Notice[] {
  const commune = kind === 'power-cut-suspected';
  const base: Notice = {
    ...firingDown, kind, detail: DETAIL[kind], id: `n-${kind}`,
    site: commune ? null : firingDown.site,
    affected: commune ? [{ id: 'a', name: 'Nhà văn hóa thôn Lao Chải' }, { id: 'b', name: 'Điểm thông tin công cộng xã Y Tý' }] : [],
    folded: commune ? [{ incident_id: 3, id: 'a', name: 'Nhà văn hóa thôn Lao Chải', since: firingDown.since, notified_before: true }] : undefined,
    cause: 'power',
  };
  return [
    base,
    { ...base, event: 'escalated', level: 'province' },
    { ...base, event: 'resolved', state: 'UP', resolved_at: base.since + 135 * 60_000, detail: `${DETAIL[kind]}; ${RESOLVE[kind]}` },
    { ...base, event: 'resolved', state: 'UP', resolved_at: base.since + 4 * 60_000, cause: undefined, detail: `${DETAIL[kind]}; ${RESOLVE[kind]}` },
  ];
}

const stripTags = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ');

describe('Vietnamese messages carry no English, for every alert kind', () => {
  for (const kind of ALERT_KINDS) {
    it(kind, () => {
      for (const n of notices(kind)) {
        const where = `${kind} ${n.event}`;
        const email = buildEmail(n, 'vi');
        const texts = [
          buildSubject(n, 'vi'), buildText(n, 'vi'), email.text, stripTags(email.html), stripTags(buildTelegramHtml(n, 'vi')),
          ...[1, 3].flatMap((maxParts) => [buildSms(n, 'vi', { maxParts }).text, buildSms(n, 'vi', { maxParts, encoding: 'gsm7' }).text]),
          ...Object.values(zaloValues(n, 'vi')),
        ];
        for (const t of texts) expect(englishWordsIn(t), `${where}: ${t}`).toEqual([]);
        // the word list really catches the English the old messages carried
        expect(englishWordsIn(buildText(n, 'en')).length, where).toBeGreaterThan(0);
      }
    });
  }
});

describe('every SMS names the alert kind', () => {
  for (const kind of ALERT_KINDS) {
    it(kind, () => {
      for (const n of notices(kind)) {
        expect(buildSms(n, 'vi', { maxParts: 3 }).text).toContain(KIND_NAMES[kind].vi);
        expect(buildSms(n, 'vi', { maxParts: 1, encoding: 'gsm7' }).text).toContain(stripDiacritics(KIND_NAMES[kind].vi));
        expect(buildSms(n, 'en', { maxParts: 3 }).text).toContain(KIND_NAMES[kind].en);
      }
    });
  }
});

describe('brandname SMS: one GSM-7 part of 160, no diacritics, on real site names', () => {
  const file = path.resolve(import.meta.dirname, '../../../config/sites.example.yaml');
  const inv = parse(fs.readFileSync(file, 'utf8')) as { sites: Array<{ id: string; name: string; commune: string; province: string; kind: string }> };
  it('the example province has the long names this is about', () => {
    expect(inv.sites.length).toBeGreaterThan(20);
    expect(inv.sites.some((s) => s.name.startsWith('Điểm thông tin công cộng'))).toBe(true);
  });
  for (const s of inv.sites) {
    it(`${s.id}: ${s.name}`, () => {
      for (const kind of ALERT_KINDS) {
        for (const base of notices(kind)) {
          const n: Notice = {
            ...base,
            site: base.site ? { ...base.site, id: s.id, name: s.name, commune: s.commune, province: s.province } : null,
            area: { commune: s.commune, province: s.province },
            runbook_url: `https://pointwatch.laocai.gov.vn/runbooks/vi/${kind}`,
            ack_url: 'https://pointwatch.laocai.gov.vn/incidents/12345',
          };
          const sms = buildSms(n, 'vi', { maxParts: 1, encoding: 'gsm7' });
          expect(isGsm7(sms.text), sms.text).toBe(true);
          expect(smsUnits(sms.text, 'GSM-7'), sms.text).toBeLessThanOrEqual(160);
          expect(sms.part_count).toBe(1);
          expect(sms.text).not.toMatch(/Nha van hoa|Diem thong tin cong cong/i);
          expect(sms.text).toContain(n.ack_url);
        }
      }
    });
  }
  it('abbreviations: NVH, DTCC, UBND, đ → d', () => {
    const n = { ...firingDown, site: { ...firingDown.site!, name: 'Điểm thông tin công cộng xã Đồng Văn' } };
    expect(buildSms(n, 'vi', { maxParts: 1, encoding: 'gsm7' }).text).toContain('DTCC xa Dong Van');
    const u = { ...firingDown, site: { ...firingDown.site!, name: 'Uỷ ban nhân dân xã Y Tý' } };
    expect(buildSms(u, 'vi', { maxParts: 1, encoding: 'gsm7' }).text).toContain('UBND xa Y Ty');
  });
});
