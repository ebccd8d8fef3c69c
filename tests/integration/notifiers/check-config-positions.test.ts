/**
 * `pointwatch check-config` gives every notifier and runbook problem a `file:line:col`, like the
 * schema's: a notifier problem at the offending key or value of the settings YAML, a runbook
 * problem at the Markdown line (and column) of the offending section or placeholder. Run through
 * the real CLI on a temporary config.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../../src/alerting/notice.js';
import { runCli } from '../../helpers/cli.js';

describe('check-config: notifier and runbook problems as file:line:col', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pwpos-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const books = path.join(tmp, 'books');
  for (const lang of ['vi', 'en']) {
    fs.mkdirSync(path.join(books, lang), { recursive: true });
    for (const k of ALERT_KINDS) fs.copyFileSync(path.resolve('config/runbooks', lang, `${k}.md`), path.join(books, lang, `${k}.md`));
  }
  const settings = path.join(tmp, 'pointwatch.yaml');
  fs.writeFileSync(settings, [
    `inventory: ${path.resolve('config/sites.example.yaml')}`, // 1
    'runbooks_dir: books', //                                       2
    'notifiers:', //                                                3
    '  - type: webhook', //                                         4
    '    name: hook', //                                            5
    '    url: hooks.example.org/pw', //                             6: no scheme
    '    secret: s3cret-hook', //                                   7
    '  - type: telegram', //                                        8
    '    name: tg', //                                              9
    '    bot_token: "1:abc"', //                                    10
    '    fallback: hook', //                                        11: a webhook cannot reach contacts
    '  - type: zalo', //                                            12
    '    name: zalo', //                                            13
    '    app_id: "1"', //                                           14
    '    app_secret: x-secret', //                                  15
    '    access_token: tok-1', //                                   16
    '    template_id: t', //                                        17
    '    template_params:', //                                      18
    '      site: ten_diem', //                                      19
    '      adress: dia_chi', //                                     20: not a pointwatch field
    '',
  ].join('\n'));
  // a runbook with an unknown placeholder under its first section
  const book = path.join(books, 'en', 'site-down.md');
  const lines = fs.readFileSync(book, 'utf8').split('\n');
  const means = lines.indexOf('## What it means') + 1; // 1-based line of the heading
  lines.splice(means, 0, 'First ask {{mayor}} whether the power is back.');
  fs.writeFileSync(book, lines.join('\n'));

  it('each problem names the file, line and column of what to fix', () => {
    const r = runCli(['check-config', '--config', settings]);
    expect(r.code).toBe(2);
    const known = 'site, commune, state, since, until, lasted, cause, detail, event, kind, runbook, ack, link';
    // exactly these, each positioned (check-config prints one problem per line, nothing else)
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `${settings}:6:10: notifiers[0].url: "hook" URL must start with http:// or https://`,
      `${settings}:11:15: notifiers[1].fallback: "hook" is a webhook notifier; a fallback reaches contacts (sms, email or telegram)`,
      `${settings}:20:7: notifiers[2].template_params.adress: unknown template field "adress" (known: ${known})`,
      `${book}:${means + 1}:11: unknown placeholder {{mayor}} (known: site, commune, site_contact, commune_contact, escalation_contact, isp_contact, district_contact)`,
    ]);
  });

  it('`pointwatch notify test` refuses the same notifier problems at the same positions, before sending anything', () => {
    const r = runCli(['notify', 'test', '--dry-run', '--config', settings]);
    expect(r.code).toBe(2);
    for (const at of [':6:10: notifiers[0].url', ':11:15: notifiers[1].fallback', ':20:7: notifiers[2].template_params.adress']) {
      expect(r.stderr).toContain(`${settings}${at}`);
    }
    expect(r.stdout).toBe('');
  });

  it('a misspelt section heading is at its line; a problem the settings rules already blame is said once', () => {
    const dir = path.join(tmp, 'second');
    fs.cpSync(books, path.join(dir, 'books'), { recursive: true });
    fs.copyFileSync(path.resolve('config/runbooks/en/site-down.md'), path.join(dir, 'books', 'en', 'site-down.md'));
    const vi = path.join(dir, 'books', 'vi', 'flapping.md');
    const text = fs.readFileSync(vi, 'utf8').split('\n');
    const at = text.indexOf('## Các bước');
    text[at] = '## Các buoc';
    fs.writeFileSync(vi, text.join('\n'));
    const file = path.join(dir, 'pointwatch.yaml');
    fs.writeFileSync(file, [
      `inventory: ${path.resolve('config/sites.example.yaml')}`,
      'runbooks_dir: books',
      'notifiers:',
      '  - { type: sms, name: sms, method: POST, url: "https://sms.example.org/send", auth_value: k }',
      '  - { type: zalo, name: zalo, app_id: "1", app_secret: x-secret, access_token: tok-1, template_id: t, fallback: smss }',
      '',
    ].join('\n'));
    const r = runCli(['check-config', '--config', file]);
    expect(r.code).toBe(2);
    const out = r.stderr.trimEnd().split('\n');
    expect(out.filter((l) => l.includes('notifiers[1].fallback'))).toEqual([`${file}:5:113: notifiers[1].fallback: fallback 'smss' is not the name of a notifier`]);
    expect(out).toContain(`${vi}:${at + 1}:1: unknown section "Các buoc" (expected: ## Ý nghĩa, ## Kiểm tra trước, ## Các bước, ## Khi nào cần báo lên)`);
    expect(out).toContain(`${vi}:1:1: missing section "## Các bước"`);
    for (const l of out) expect(l).toMatch(/^\/.+:\d+:\d+: /);
  });
});
