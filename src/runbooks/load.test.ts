import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { LANGS } from '../config/schema.js';
import { ALERT_KINDS } from '../alerting/notice.js';
import { KIND_NAMES } from '../core/glossary.js';
import { checkRunbooks, equivalenceProblems, fillPlaceholders, loadRunbooks, MIN_STEPS, parseRunbook, placeholdersIn, runbookVars, SECTION_TITLES } from './load.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REAL = path.resolve(here, '../../config/runbooks');
const fixture = (f: string) => fs.readFileSync(path.join(here, 'testdata', f), 'utf8');

const all = loadRunbooks(REAL);

describe('the shipped runbooks (config/runbooks)', () => {
  it('have no problems', () => {
    expect(checkRunbooks(REAL)).toEqual([]);
  });
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
        // The title is the glossary's name of the kind.
        expect(rb!.title).toBe(`${KIND_NAMES[kind][lang]} (${kind})`);
        // Whom to call comes from the alert's contacts: the key holder first, then up the levels.
        expect(rb!.sections.steps[0]).toContain('{{site_contact}}');
        expect(rb!.sections.escalate).toContain('{{commune_contact}}');
        expect(rb!.sections.escalate).toContain('{{escalation_contact}}');
        // Safety, solar/UPS sites and ISP facilities are covered before anyone touches anything.
        expect(rb!.sections.check_first).toMatch(lang === 'vi' ? /sét/ : /lightning/);
        expect(rb!.sections.check_first).toMatch(lang === 'vi' ? /nhà mạng/ : /ISP/);
        expect(rb!.sections.check_first).toMatch(lang === 'vi' ? /mặt trời/ : /solar/);
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

describe('vi and en say the same', () => {
  it('the same number of steps, and each step calls the same people', () => {
    for (const kind of ALERT_KINDS) {
      const vi = all.get('vi')!.get(kind)!;
      const en = all.get('en')!.get(kind)!;
      expect(vi.sections.steps.length, kind).toBe(en.sections.steps.length);
      vi.sections.steps.forEach((step, i) => expect(placeholdersIn(step).sort(), `${kind} step ${i + 1}`).toEqual(placeholdersIn(en.sections.steps[i]!).sort()));
    }
  });
  it('a step missing in one language, or calling someone else, is named', () => {
    const en = all.get('en')!.get('site-down')!;
    const vi = all.get('vi')!.get('site-down')!;
    const short = { ...vi, sections: { ...vi.sections, steps: vi.sections.steps.slice(0, -1) } };
    expect(equivalenceProblems(en, short)).toContain(`${vi.file}:${vi.lines!.sections.steps}:1: ${vi.sections.steps.length - 1} steps, but ${en.file} has ${en.sections.steps.length}: both languages must have the same steps`);
    const other = { ...vi, sections: { ...vi.sections, steps: vi.sections.steps.map((s, i) => (i === 0 ? s.replace('{{site_contact}}', '{{commune_contact}}') : s)) } };
    expect(equivalenceProblems(en, other)).toContainEqual(expect.stringMatching(new RegExp(`^${vi.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${vi.lines!.steps[0]}:1: step 1 uses \\{\\{commune_contact\\}\\}`)));
    expect(equivalenceProblems(en, vi)).toEqual([]);
  });
  it('the title must be the glossary name', () => {
    const r = parseRunbook('# Mất mạng (site-down)\n## Ý nghĩa\nx\n## Kiểm tra trước\ny\n## Các bước\n1. a\n2. b\n3. c\n## Khi nào cần báo lên\nz\n', { kind: 'site-down', lang: 'vi', file: 'f.md' });
    expect(r.problems).toEqual(['f.md:1:1: the title must start with the glossary\'s name of the alert kind: "# Điểm Wi-Fi mất kết nối (site-down)"']);
  });
});

describe('parseRunbook problems', () => {
  const cases: Array<{ name: string; file: string; want: string[] }> = [
    { name: 'steps that are not a numbered list', file: 'no-steps.md', want: [
      'no-steps.md:10:1: the steps section holds only a numbered list ("1. ...")',
      'no-steps.md:9:1: 0 numbered steps, at least 3 needed',
    ] },
    { name: 'a missing section and an unknown placeholder', file: 'missing-section.md', want: [
      'missing-section.md:1:1: missing section "## Check first"',
      'missing-section.md:12:29: unknown placeholder {{mayor}} (known: site, commune, site_contact, commune_contact, escalation_contact, isp_contact, district_contact)',
    ] },
    { name: 'numbering gaps and a misspelt section', file: 'bad-numbering.md', want: [
      'bad-numbering.md:11:1: step numbered 3, expected 2',
      'bad-numbering.md:14:1: unknown section "When to escallate" (expected: ## What it means, ## Check first, ## Steps, ## When to escalate)',
      'bad-numbering.md:1:1: missing section "## When to escalate"',
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
    expect(r.problems).toContain(`vi/site-down.md:1:1: missing section "## ${SECTION_TITLES.vi.means}"`);
  });
  it('indented lines continue the step above', () => {
    const r = parseRunbook('# Flapping (flapping)\n## What it means\nx\n## Check first\ny\n## Steps\n1. one\n   more\n2. two\n3. three\n## When to escalate\nz\n', { kind: 'flapping', lang: 'en', file: 'f.md' });
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
    expect(problems.some((p) => p.startsWith(`${path.join(dir, 'en', 'site-dwn.md')}:1:1: not an alert kind "site-dwn"`))).toBe(true);
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
  const contacts = {
    site_contact: { name: 'Bà Lò Thị Hoa', role: 'giữ chìa khóa nhà văn hóa', phone: '0912 000 107' },
    commune_contact: { name: 'Lò Văn Minh', role: 'cán bộ CNTT xã', phone: '0912 345 678' },
    escalation_level: 'province' as const,
    escalation_contact: null,
    isp_contact: { name: 'Tổng đài VNPT', role: 'nhà mạng', phone: '18001091' },
  };
  it('are filled from the resolved contacts; a missing one reads "chưa khai báo"', () => {
    const vars = runbookVars({ site: 'Nhà văn hoá thôn Bản Lác', commune: 'xã Chiềng Châu', contacts }, 'vi');
    expect(vars).toEqual({
      site: 'Nhà văn hoá thôn Bản Lác',
      commune: 'xã Chiềng Châu',
      site_contact: 'Bà Lò Thị Hoa (giữ chìa khóa nhà văn hóa): 0912 000 107',
      commune_contact: 'Lò Văn Minh (cán bộ CNTT xã): 0912 345 678',
      escalation_contact: '(chưa khai báo)',
      district_contact: '(chưa khai báo)',
      isp_contact: 'Tổng đài VNPT (nhà mạng): 18001091',
    });
    expect(fillPlaceholders('Gọi {{site_contact}}, rồi {{commune_contact}}, rồi {{escalation_contact}}.', vars, 'vi'))
      .toBe('Gọi Bà Lò Thị Hoa (giữ chìa khóa nhà văn hóa): 0912 000 107, rồi Lò Văn Minh (cán bộ CNTT xã): 0912 345 678, rồi (chưa khai báo).');
    expect(runbookVars({ commune: 'Chiềng Châu commune', contacts }, 'en').escalation_contact).toBe('(not declared)');
  });
  it('a contact placeholder without a value reads "not declared", never another number', () => {
    expect(fillPlaceholders('Call {{isp_contact}}.', { commune: 'x' }, 'en')).toBe('Call (not declared).');
    expect(fillPlaceholders('Gọi {{commune_contact}}.', {}, 'vi')).toBe('Gọi (chưa khai báo).');
  });
  it('{{district_contact}} (runbooks written before the 2025 reform) reads as the escalation contact', () => {
    const vars = runbookVars({ commune: 'Bác Ái', contacts: { ...contacts, escalation_contact: { name: 'Sở VHTT', phone: '0987 000 222' } } }, 'vi');
    expect(fillPlaceholders('Gọi {{district_contact}}.', vars, 'vi')).toBe('Gọi Sở VHTT: 0987 000 222.');
  });
  it('a commune-level alert without a site names the commune', () => {
    expect(fillPlaceholders('at {{site}}', { commune: 'xã Chiềng Châu' }, 'vi')).toBe('at xã Chiềng Châu');
  });
});
