/** check-config fails (exit 2) on a missing or broken runbook, naming the file (the passing case: check.test.ts and the CLI tests). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_KINDS } from '../../../src/alerting/notice.js';
import { runCli } from '../../helpers/cli.js';

describe('check-config and runbooks', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pwrbcli-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const books = path.join(tmp, 'books');
  for (const lang of ['vi', 'en']) {
    fs.mkdirSync(path.join(books, lang), { recursive: true });
    for (const k of ALERT_KINDS) fs.copyFileSync(path.resolve('config/runbooks', lang, `${k}.md`), path.join(books, lang, `${k}.md`));
  }
  const settings = path.join(tmp, 'pointwatch.yaml');
  fs.writeFileSync(settings, `inventory: ${path.resolve('config/sites.example.yaml')}\nrunbooks_dir: books\n`);

  it('a missing runbook and an emptied section are bad input (exit 2), each named', () => {
    fs.rmSync(path.join(books, 'vi', 'flapping.md'));
    const saturation = path.join(books, 'en', 'saturation.md');
    fs.writeFileSync(saturation, fs.readFileSync(saturation, 'utf8').replace(/## Steps[\s\S]*?## When/, '## Steps\n\n## When'));
    const r = runCli(['check-config', '--config', settings]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(books, 'vi', 'flapping.md')}: missing runbook for alert kind "flapping" in language "vi"`);
    expect(r.stderr).toMatch(new RegExp(`${saturation.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:1: 0 numbered steps, at least 3 needed`));
  });
});
