import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildWebhookBody, signBody, verifySignature } from './webhook.js';
import { resolvedPower, firingDown } from './testdata/notices.js';

describe('webhook signature', () => {
  const secret = 'whsec-test-1234';
  const body = JSON.stringify({ version: 1, delivery_id: 'x', text: 'Nhà văn hoá' });
  const cases: Array<{ name: string; body: string; header: string | undefined; secret: string; want: boolean }> = [
    { name: 'the right signature verifies', body, header: `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, secret, want: true },
    { name: 'signBody produces that header', body, header: signBody(body, secret), secret, want: true },
    { name: 'a changed body fails', body: body.replace('hoá', 'hoa'), header: signBody(body, secret), secret, want: false },
    { name: 'another secret fails', body, header: signBody(body, 'other-secret'), secret, want: false },
    { name: 'a missing header fails', body, header: undefined, secret, want: false },
    { name: 'a header without the scheme fails', body, header: createHmac('sha256', secret).update(body).digest('hex'), secret, want: false },
    { name: 'a truncated signature fails', body, header: signBody(body, secret).slice(0, 40), secret, want: false },
  ];
  for (const c of cases) it(c.name, () => expect(verifySignature(c.body, c.secret, c.header)).toBe(c.want));
  it('is over the raw UTF-8 bytes', () => {
    expect(signBody(Buffer.from(body, 'utf8'), secret)).toBe(signBody(body, secret));
  });
});

describe('webhook body v1', () => {
  it('carries the documented fields', () => {
    const b = buildWebhookBody(resolvedPower, Date.UTC(2026, 10, 22, 1, 55));
    expect(b).toMatchObject({
      version: 1,
      delivery_id: 'inc-17-resolved-commune',
      sent_at: '2026-11-22T01:55:00.000Z',
      event: 'resolved',
      kind: 'site-down',
      incident_id: 17,
      state: 'UP',
      since: '2026-11-22T00:42:00.000Z',
      resolved_at: '2026-11-22T01:54:00.000Z',
      duration_s: 4320,
      cause: 'power',
      runbook_url: 'https://pw.example.org/runbooks/vi/site-down',
      ack_url: 'https://pw.example.org/incidents/17/ack',
      lang: 'vi',
    });
    expect(b.title).toContain('[ĐÃ KHÔI PHỤC]');
    expect(b.text).toContain('Kéo dài: 1 giờ 12 phút');
  });
  it('places: two tiers; version 1 keeps its district field (the group, or null)', () => {
    expect(buildWebhookBody(firingDown, 0).area).toEqual({ commune: 'Chiềng Châu', commune_kind: 'xa', province: 'Hoà Bình', district: null });
    const grouped = { ...firingDown, site: { ...firingDown.site!, group: 'Mai Châu (cũ)' }, area: { ...firingDown.area, group: 'Mai Châu (cũ)' } };
    const b = buildWebhookBody(grouped, 0);
    expect(b.area).toMatchObject({ group: 'Mai Châu (cũ)', district: 'Mai Châu (cũ)' });
    expect(b.site).toMatchObject({ group: 'Mai Châu (cũ)', district: 'Mai Châu (cũ)' });
  });
  it('firing: no end, no cause; recipients without phones or addresses', () => {
    const b = buildWebhookBody(firingDown, 0);
    expect(b.resolved_at).toBeNull();
    expect(b.duration_s).toBeNull();
    expect(b.cause).toBeNull();
    expect(b.recipients).toEqual([
      { name: 'Lò Văn Minh', role: 'cán bộ CNTT xã', level: 'commune', lang: null },
      { name: 'Anna Nguyen', role: 'district IT', level: 'commune', lang: 'en' },
    ]);
    expect(JSON.stringify(b)).not.toContain('0912');
    expect(JSON.stringify(b)).not.toContain('@example.org');
  });
});
