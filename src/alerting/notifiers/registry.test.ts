import { describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../config/defaults.js';
import { checkNotifiers, createNotifiers, NOTIFIER_FACTORIES } from './registry.js';

const base = [
  { type: 'webhook', name: 'hook', url: 'https://hooks.example.org/pw', secret: 's3cret-hook' },
  { type: 'email', name: 'mail', host: 'smtp.example.org', from: 'pw@example.org' },
  { type: 'telegram', name: 'tg', bot_token: '1:abc', chat_ids: ['-100'] },
  { type: 'zalo', name: 'zalo', app_id: '1', app_secret: 'x-secret', access_token: 'tok-1', template_id: 't', fallback: 'sms' },
  { type: 'sms', name: 'sms', method: 'POST', url: 'https://sms.example.org/send', auth_value: 'k' },
];

describe('notifier registry', () => {
  it('has a factory for every notifier type in the schema', () => {
    expect(Object.keys(NOTIFIER_FACTORIES).sort()).toEqual(['email', 'sms', 'telegram', 'webhook', 'zalo']);
  });
  it('builds one notifier per config entry, with names, types and fallback', async () => {
    const s = settingsWithDefaults({ notifiers: base });
    const ns = createNotifiers(s.notifiers);
    expect(ns.map((n) => [n.name, n.type, n.fallback ?? null])).toEqual([
      ['hook', 'webhook', null], ['mail', 'email', null], ['tg', 'telegram', null], ['zalo', 'zalo', 'sms'], ['sms', 'sms', null],
    ]);
    await Promise.all(ns.map((n) => n.close?.()));
  });
  it('schema defaults: timeouts, attempts, SMS encoding and parts, Zalo bases', () => {
    const s = settingsWithDefaults({ notifiers: base });
    expect(s.notifiers.map((n) => [n.name, n.timeout_ms, n.attempts])).toEqual([
      ['hook', 5000, 3], ['mail', 10000, 3], ['tg', 10000, 3], ['zalo', 10000, 3], ['sms', 10000, 3],
    ]);
    const sms = s.notifiers[4]!;
    expect(sms.type === 'sms' && [sms.phone_format, sms.encoding, sms.max_parts, sms.split]).toEqual(['international', 'auto', 3, false]);
    const z = s.notifiers[3]!;
    expect(z.type === 'zalo' && [z.api_base, z.oauth_base]).toEqual(['https://business.openapi.zalo.me', 'https://oauth.zaloapp.com']);
  });
});

describe('checkNotifiers', () => {
  const cases: Array<{ name: string; patch: (n: Array<Record<string, unknown>>) => void; want: string[] }> = [
    { name: 'a valid list', patch: () => undefined, want: [] },
    { name: 'duplicate names', patch: (n) => { n[1]!.name = 'hook'; }, want: ['notifiers[1].name: duplicate notifier name "hook"'] },
    { name: 'fallback to nothing', patch: (n) => { n[3]!.fallback = 'smss'; }, want: ['notifiers[3].fallback: no notifier named "smss"'] },
    { name: 'fallback to itself', patch: (n) => { n[3]!.fallback = 'zalo'; }, want: ['notifiers[3].fallback: a notifier cannot be its own fallback'] },
    { name: 'fallback to a webhook', patch: (n) => { n[3]!.fallback = 'hook'; }, want: ['notifiers[3].fallback: "hook" is a webhook notifier; a fallback reaches contacts (sms, email or telegram)'] },
    { name: 'telegram and email may fall back to SMS', patch: (n) => { n[1]!.fallback = 'sms'; n[2]!.fallback = 'sms'; }, want: [] },
    { name: 'one level only', patch: (n) => { n[2]!.fallback = 'mail'; n[1]!.fallback = 'sms'; }, want: ['notifiers[2].fallback: "mail" has a fallback of its own (one level only)'] },
    { name: 'unknown template field', patch: (n) => { n[3]!.template_params = { site: 'a', adress: 'b' }; }, want: ['notifiers[3].template_params.adress: unknown template field "adress" (known: site, commune, state, since, until, lasted, cause, detail, event, kind, runbook, ack, link)'] },
    { name: 'URL without a scheme, secret-free message', patch: (n) => { n[0]!.url = 'hooks.example.org/pw?key=abc'; }, want: ['notifiers[0].url: "hook" URL must start with http:// or https://'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const list = structuredClone(base) as Array<Record<string, unknown>>;
      c.patch(list);
      expect(checkNotifiers(settingsWithDefaults({ notifiers: list }).notifiers)).toEqual(c.want);
    });
  }
});
