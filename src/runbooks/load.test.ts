import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { LANGS } from '../config/schema.js';
import { ALERT_KINDS } from '../alerting/notice.js';
import { checkRunbooks, fillPlaceholders, loadRunbooks, MIN_STEPS, parseRunbook, runbookVars, SECTION_TITLES } from './load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REAL = path.resolve(here, '../../config/runbooks');
const fixture = (f: string) => fs.readFileSync(path.join(here, 'testdata', f), 'utf8');

describe('the shipped runbooks (config/runbooks)', () => {
  it('have no problems', () => {
    expect(checkRunbooks(REAL)).toEqual([]);
  });
  const all = loadRunbooks(REAL);
  for (const lang of LANGS) {
    for (const kind of ALERT_KINDS) {
      it(`${lang}/${kind}: every section, at least ${MIN_STEPS} numbered steps`, () => {
        const rb = all.get(lang)?.get(kind);
        expect(rb, `${lang}/${kind}.md`).toBeDefined();
        expect(rb!.title).toContain(`(${kind})`);
        expect(rb!.sections.means.length).toBeGreaterThan(40);
        expect(rb!.sections.check_first.length).toBeGreaterThan(40);
        expect(rb!.sections.escalate.length).toBeGreaterThan(20);
        expect(rb!.sections.steps.length).toBeGreaterThanOrEqual(MIN_STEPS);
        // Whom to call comes from the alert's contacts.
        expect(rb!.sections.escalate).toContain('{{commune_contact}}');
        // The last step says what to write in the outcome note.
        expect(rb!.sections.steps.at(-1)).toMatch(lang === 'vi' ? /ghi vào phần kết quả/i : /outcome note/i);
      });
    }
  }
  it('Vietnamese runbooks are written with diacritics', () => {
    for (const kind of ALERT_KINDS) {
      const rb = all.get('vi')!.get(kind)!;
      expect(rb.sections.steps.join(' ')).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/);
    }
  });
});

describe('parseRunbook problems', () => {
  const cases: Array<{ name: string; file: string; want: string[] }> = [
    { name: 'steps that are not a numbered list', file: 'no-steps.md', want: [
      'no-steps.md:10: the steps section holds only a numbered list ("1. ...")',
      'no-steps.md:9: 0 numbered steps, at least 3 needed',
    ] },
    { name: 'a missing section and an unknown placeholder', file: 'missing-section.md', want: [
      'missing-section.md: missing section "## Check first"',
      'missing-section.md:12: unknown placeholder {{mayor}} (known: site, commune, commune_contact, escalation_contact, isp_contact, district_contact)',
    ] },
    { name: 'numbering gaps and a misspelt section', file: 'bad-numbering.md', want: [
      'bad-numbering.md:11: step numbered 3, expected 2',
      'bad-numbering.md:14: unknown section "When to escallate" (expected: ## What it means, ## Check first, ## Steps, ## When to escalate)',
      'bad-numbering.md: missing section "## When to escalate"',
    ] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = parseRunbook(fixture(c.file), { kind: 'site-down', lang: 'en', file: c.file });
      expect(r.runbook).toBeUndefined();
      expect(r.problems).toEqual(c.want);
    });
  }
  it('an English file under vi/ is caught (section titles are per language)', () => {
    const r = parseRunbook(fs.readFileSync(path.join(REAL, 'en', 'site-down.md'), 'utf8'), { kind: 'site-down', lang: 'vi', file: 'vi/site-down.md' });
    expect(r.problems).toContain(`vi/site-down.md: missing section "## ${SECTION_TITLES.vi.means}"`);
  });
  it('indented lines continue the step above', () => {
    const r = parseRunbook('# T\n## What it means\nx\n## Check first\ny\n## Steps\n1. one\n   more\n2. two\n3. three\n## When to escalate\nz\n', { kind: 'flapping', lang: 'en', file: 'f.md' });
    expect(r.problems).toEqual([]);
    expect(r.runbook!.sections.steps).toEqual(['one more', 'two', 'three']);
  });
});

describe('checkRunbooks on a broken tree', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pwrunbooks-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'en'));
  fs.mkdirSync(path.join(dir, 'fr'));
  for (const kind of ALERT_KINDS) fs.copyFileSync(path.join(REAL, 'en', `${kind}.md`), path.join(dir, 'en', `${kind}.md`));
  fs.rmSync(path.join(dir, 'en', 'flapping.md'));
  fs.writeFileSync(path.join(dir, 'en', 'site-dwn.md'), '# x\n');

  it('names every missing kind and language, stray files and unknown languages', () => {
    const problems = checkRunbooks(dir);
    expect(problems).toContain(`${path.join(dir, 'fr')}: unknown language "fr" (known: vi, en)`);
    expect(problems).toContain(`${path.join(dir, 'vi')}: missing: no runbooks in language "vi"`);
    expect(problems).toContain(`${path.join(dir, 'en', 'flapping.md')}: missing runbook for alert kind "flapping" in language "en"`);
    expect(problems.some((p) => p.startsWith(`${path.join(dir, 'en', 'site-dwn.md')}: not an alert kind "site-dwn"`))).toBe(true);
    expect(problems).toHaveLength(4);
  });
  it('loadRunbooks throws an InputError listing them', () => {
    expect(() => loadRunbooks(dir)).toThrow(InputError);
    try { loadRunbooks(dir); } catch (e) { expect((e as InputError).problems).toHaveLength(4); }
  });
  it('a missing directory is one clear problem', () => {
    expect(checkRunbooks(path.join(dir, 'nope'))).toEqual([`${path.join(dir, 'nope')}: runbook directory not found`]);
  });
});

describe('placeholders', () => {
  const vars = runbookVars({
    site: 'Nhà văn hoá thôn Bản Lác',
    commune: 'xã Chiềng Châu',
    contacts: [
      { name: 'Lò Văn Minh', role: 'cán bộ CNTT xã', phone: '0912 345 678', level: 'commune' },
      { name: 'Tổng đài VNPT', role: 'nhà mạng', phone: '18001091', level: 'commune' },
      { name: 'Sở VHTT', role: 'trực ban tỉnh', phone: '0987 000 222', level: 'province' },
      { name: 'Hà Thị Lan', role: 'cụm VHTT', phone: '0987 000 111', level: 'group' },
    ],
  });
  it('are filled from the alert contacts', () => {
    expect(vars).toEqual({
      site: 'Nhà văn hoá thôn Bản Lác',
      commune: 'xã Chiềng Châu',
      commune_contact: 'Lò Văn Minh (cán bộ CNTT xã): 0912 345 678',
      escalation_contact: 'Hà Thị Lan (cụm VHTT): 0987 000 111',
      district_contact: 'Hà Thị Lan (cụm VHTT): 0987 000 111',
      isp_contact: 'Tổng đài VNPT (nhà mạng): 18001091',
    });
    expect(fillPlaceholders('Gọi {{commune_contact}} rồi {{isp_contact}}.', vars, 'vi')).toBe('Gọi Lò Văn Minh (cán bộ CNTT xã): 0912 345 678 rồi Tổng đài VNPT (nhà mạng): 18001091.');
  });
  it('no group: the escalation contact is the province', () => {
    const v = runbookVars({ commune: 'Bác Ái', contacts: [{ name: 'Sở VHTT', phone: '0987 000 222', level: 'province' }] });
    expect(fillPlaceholders('Gọi {{escalation_contact}}.', v, 'vi')).toBe('Gọi Sở VHTT: 0987 000 222.');
  });
  it('a missing contact points to the contact list', () => {
    expect(fillPlaceholders('Call {{isp_contact}}.', { commune: 'x' }, 'en')).toBe('Call (see the commune contact list).');
    expect(fillPlaceholders('Gọi {{district_contact}}.', {}, 'vi')).toBe('Gọi (xem danh bạ liên hệ của xã).');
  });
  it('a commune-level alert without a site names the commune', () => {
    expect(fillPlaceholders('at {{site}}', { commune: 'xã Chiềng Châu' }, 'vi')).toBe('at xã Chiềng Châu');
  });
});
