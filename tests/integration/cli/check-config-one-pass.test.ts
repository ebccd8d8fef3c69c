/** check-config lists every problem in one run: schema, cross-field rules and runbooks together (issue 18 item 6). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../../src/alerting/notice.js';
import { runCli } from '../../helpers/cli.js';

const FIXTURE = path.resolve('tests/fixtures/config/invalid-many-sites.yaml');

describe('check-config: every problem at once', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfcheck-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const books = path.join(tmp, 'books');
  for (const lang of ['vi', 'en']) {
    fs.mkdirSync(path.join(books, lang), { recursive: true });
    for (const k of ALERT_KINDS) fs.copyFileSync(path.resolve('config/runbooks', lang, `${k}.md`), path.join(books, lang, `${k}.md`));
  }
  fs.rmSync(path.join(books, 'en', 'flapping.md'));
  const settings = path.join(tmp, 'pointwatch.yaml');
  fs.writeFileSync(settings, `inventory: ${FIXTURE}\nrunbooks_dir: books\n`);

  it('an unknown key in one site hides neither the other sites\' problems nor a missing runbook', () => {
    const expected = [...fs.readFileSync(FIXTURE, 'utf8').matchAll(/^# expect: (.*)$/gm)].map((m) => `${path.dirname(FIXTURE)}/${m[1]}`);
    const r = runCli(['check-config', '--config', settings]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith(FIXTURE))).toEqual(expected);
    expect(lines).toContain(`${path.join(books, 'en', 'flapping.md')}: missing runbook for alert kind "flapping" in language "en"`);
    expect(r.stdout).toBe('');
  });
});
