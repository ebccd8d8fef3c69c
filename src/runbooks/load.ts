/**
 * Runbooks: one Markdown file per alert kind and language, `config/runbooks/<lang>/<kind>.md`,
 * with fixed sections (en: What it means / Check first / Steps / When to escalate; vi: Ý nghĩa /
 * Kiểm tra trước / Các bước / Khi nào cần báo lên). Steps are a numbered list.
 *
 * `checkRunbooks` lists every problem (for check-config); `loadRunbooks` throws an InputError with
 * them, so a broken runbook fails at start-up, never in a 3 a.m. alert.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors.js';
import type { Lang } from '../core/types.js';
import { LANGS } from '../config/schema.js';
import { ALERT_KINDS, type AlertKind } from '../alerting/notice.js';
import { contactLine, type ResolvedContacts } from '../alerting/contacts.js';
import { KIND_NAMES } from '../core/glossary.js';

export type SectionKey = 'means' | 'check_first' | 'steps' | 'escalate';
export const SECTION_KEYS: readonly SectionKey[] = ['means', 'check_first', 'steps', 'escalate'];

export const SECTION_TITLES: Record<Lang, Record<SectionKey, string>> = {
  en: { means: 'What it means', check_first: 'Check first', steps: 'Steps', escalate: 'When to escalate' },
  vi: { means: 'Ý nghĩa', check_first: 'Kiểm tra trước', steps: 'Các bước', escalate: 'Khi nào cần báo lên' },
};

/** A runbook needs at least this many numbered steps. */
export const MIN_STEPS = 3;

/**
 * Placeholders a runbook may use; filled from the alert (see runbookVars): the site, the commune,
 * the key holder at the site, the commune's contact, the next level up's contact, the ISP.
 * `district_contact` (runbooks written before the 2025 reform) reads as the escalation contact.
 */
export const RUNBOOK_PLACEHOLDERS = ['site', 'commune', 'site_contact', 'commune_contact', 'escalation_contact', 'isp_contact', 'district_contact'] as const;
export type RunbookPlaceholder = (typeof RUNBOOK_PLACEHOLDERS)[number];

export interface Runbook {
  kind: AlertKind;
  lang: Lang;
  title: string;
  sections: { means: string; check_first: string; steps: string[]; escalate: string };
  /** The file it came from. */
  file: string;
  /** Lines (1-based) of the section headings and of each step, for problems found after parsing. */
  lines?: { sections: Record<SectionKey, number>; steps: number[] };
}

export type Runbooks = Map<Lang, Map<AlertKind, Runbook>>;

const norm = (s: string) => s.normalize('NFC').trim().toLowerCase();

/**
 * Parse one runbook's Markdown. Problems are `file:line:col: message`, like the YAML files' (the
 * heading, step or placeholder to blame; a problem of the whole file, such as a missing section, is
 * at 1:1).
 */
export function parseRunbook(text: string, where: { kind: AlertKind; lang: Lang; file: string }): { runbook?: Runbook; problems: string[] } {
  const { file, lang, kind } = where;
  const problems: string[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const byTitle = new Map<string, SectionKey>(SECTION_KEYS.map((k) => [norm(SECTION_TITLES[lang][k]), k]));
  let title = '';
  let current: SectionKey | null = null;
  let inUnknown = false; // under an unknown heading: already reported, its text is skipped
  const body: Record<SectionKey, string[]> = { means: [], check_first: [], steps: [], escalate: [] };
  const seenAt = new Map<SectionKey, number>();
  const steps: string[] = [];
  const stepLines: number[] = [];
  let titleLine = 1;
  let expectedStep = 1;
  const at = (line: number, col = 1) => `${file}:${line}:${col}`;
  const firstCol = (raw: string) => raw.search(/\S/) + 1;

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trimEnd();
    const h1 = /^#\s+(.+)$/.exec(line);
    const h2 = /^##\s+(.+)$/.exec(line);
    if (h1) {
      if (title) problems.push(`${at(lineNo)}: a second title ("# ...")`);
      else { title = h1[1]!.trim(); titleLine = lineNo; }
      return;
    }
    if (h2) {
      const key = byTitle.get(norm(h2[1]!));
      if (!key) {
        problems.push(`${at(lineNo)}: unknown section "${h2[1]!.trim()}" (expected: ${SECTION_KEYS.map((k) => `## ${SECTION_TITLES[lang][k]}`).join(', ')})`);
        current = null;
        inUnknown = true;
        return;
      }
      inUnknown = false;
      if (seenAt.has(key)) problems.push(`${at(lineNo)}: section "## ${SECTION_TITLES[lang][key]}" appears twice (first at line ${seenAt.get(key)})`);
      seenAt.set(key, lineNo);
      current = key;
      return;
    }
    if (!current) {
      if (line.trim() && title && !inUnknown) problems.push(`${at(lineNo, firstCol(raw))}: text outside any section`);
      return;
    }
    body[current].push(raw);
    if (current === 'steps') {
      const m = /^(\d+)\.\s+(.*)$/.exec(line);
      if (m) {
        const n = Number(m[1]);
        if (n !== expectedStep) problems.push(`${at(lineNo)}: step numbered ${n}, expected ${expectedStep}`);
        expectedStep = n + 1;
        steps.push(m[2]!.trim());
        stepLines.push(lineNo);
      } else if (line.trim() && steps.length && /^\s+\S/.test(raw)) {
        steps[steps.length - 1] += ` ${line.trim()}`; // an indented continuation of the step above
      } else if (line.trim()) {
        problems.push(`${at(lineNo, firstCol(raw))}: the steps section holds only a numbered list ("1. ...")`);
      }
    }
  });

  if (!title) problems.push(`${at(1)}: missing title ("# ...")`);
  else if (!title.startsWith(KIND_NAMES[kind][lang])) problems.push(`${at(titleLine)}: the title must start with the glossary's name of the alert kind: "# ${KIND_NAMES[kind][lang]} (${kind})"`);
  for (const key of SECTION_KEYS) {
    if (!seenAt.has(key)) problems.push(`${at(1)}: missing section "## ${SECTION_TITLES[lang][key]}"`);
    else if (key !== 'steps' && !body[key].join('\n').trim()) problems.push(`${at(seenAt.get(key)!)}: section "## ${SECTION_TITLES[lang][key]}" is empty`);
  }
  if (seenAt.has('steps') && steps.length < MIN_STEPS) {
    problems.push(`${at(seenAt.get('steps')!)}: ${steps.length} numbered steps, at least ${MIN_STEPS} needed`);
  }
  for (const m of text.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)) {
    if (!(RUNBOOK_PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      const before = text.slice(0, m.index);
      const lineNo = before.split('\n').length;
      problems.push(`${at(lineNo, m.index - before.lastIndexOf('\n'))}: unknown placeholder {{${m[1]}}} (known: ${RUNBOOK_PLACEHOLDERS.join(', ')})`);
    }
  }
  if (problems.length) return { problems };
  const joined = (k: SectionKey) => body[k].join('\n').trim();
  return {
    runbook: {
      kind, lang, title, file,
      sections: { means: joined('means'), check_first: joined('check_first'), steps, escalate: joined('escalate') },
      lines: { sections: Object.fromEntries(seenAt) as Record<SectionKey, number>, steps: stepLines },
    },
    problems,
  };
}

function readAll(dir: string): { runbooks: Runbooks; problems: string[] } {
  const problems: string[] = [];
  const runbooks: Runbooks = new Map();
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return { runbooks, problems: [`${dir}: runbook directory not found`] };
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !(LANGS as readonly string[]).includes(entry.name)) {
      problems.push(`${path.join(dir, entry.name)}: unknown language "${entry.name}" (known: ${LANGS.join(', ')})`);
    }
  }
  for (const lang of LANGS) {
    const perLang = new Map<AlertKind, Runbook>();
    runbooks.set(lang, perLang);
    const langDir = path.join(dir, lang);
    if (!fs.existsSync(langDir)) {
      problems.push(`${langDir}: missing: no runbooks in language "${lang}"`);
      continue;
    }
    for (const f of fs.readdirSync(langDir)) {
      if (!f.endsWith('.md')) continue;
      const kind = f.slice(0, -3);
      if (!(ALERT_KINDS as readonly string[]).includes(kind)) problems.push(`${path.join(langDir, f)}:1:1: not an alert kind "${kind}" (known: ${ALERT_KINDS.join(', ')})`);
    }
    for (const kind of ALERT_KINDS) {
      const file = path.join(langDir, `${kind}.md`);
      if (!fs.existsSync(file)) {
        problems.push(`${file}: missing runbook for alert kind "${kind}" in language "${lang}"`);
        continue;
      }
      const parsed = parseRunbook(fs.readFileSync(file, 'utf8'), { kind, lang, file });
      problems.push(...parsed.problems);
      if (parsed.runbook) perLang.set(kind, parsed.runbook);
    }
  }
  for (const kind of ALERT_KINDS) {
    const [first, ...others] = LANGS.map((l) => runbooks.get(l)?.get(kind)).filter((r): r is Runbook => r !== undefined);
    if (first) for (const other of others) problems.push(...equivalenceProblems(first, other));
  }
  return { runbooks, problems };
}

/** The placeholders a text uses, in order. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)].map((m) => m[1]!);
}

/**
 * The languages must say the same thing: the same number of steps, and each step (and each
 * section) calling the same people ({{placeholders}}), so a trainee reading either does the same.
 */
export function equivalenceProblems(a: Runbook, b: Runbook): string[] {
  const out: string[] = [];
  // positioned in b (the file to fix): its steps heading, the step, the section heading
  const where = (line: number | undefined) => `${b.file}:${line ?? 1}:1`;
  if (a.sections.steps.length !== b.sections.steps.length) {
    out.push(`${where(b.lines?.sections.steps)}: ${b.sections.steps.length} steps, but ${a.file} has ${a.sections.steps.length}: both languages must have the same steps`);
  }
  const same = (x: string[], y: string[]) => [...x].sort().join(',') === [...y].sort().join(',');
  const n = Math.min(a.sections.steps.length, b.sections.steps.length);
  for (let i = 0; i < n; i++) {
    const pa = placeholdersIn(a.sections.steps[i]!);
    const pb = placeholdersIn(b.sections.steps[i]!);
    if (!same(pa, pb)) out.push(`${where(b.lines?.steps[i])}: step ${i + 1} uses ${pb.map((p) => `{{${p}}}`).join(' ') || 'no placeholder'}, but step ${i + 1} of ${a.file} uses ${pa.map((p) => `{{${p}}}`).join(' ') || 'no placeholder'}`);
  }
  for (const key of ['means', 'check_first', 'escalate'] as const) {
    const pa = [...new Set(placeholdersIn(a.sections[key]))];
    const pb = [...new Set(placeholdersIn(b.sections[key]))];
    if (!same(pa, pb)) out.push(`${where(b.lines?.sections[key])}: section "${SECTION_TITLES[b.lang][key]}" uses ${pb.map((p) => `{{${p}}}`).join(' ') || 'no placeholder'}, but "${SECTION_TITLES[a.lang][key]}" of ${a.file} uses ${pa.map((p) => `{{${p}}}`).join(' ') || 'no placeholder'}`);
  }
  return out;
}

/** Every problem with the runbooks under `dir` (empty when all is well). */
export function checkRunbooks(dir: string): string[] {
  return readAll(dir).problems;
}

/** All runbooks, by language then kind. Throws InputError listing every problem. */
export function loadRunbooks(dir: string): Runbooks {
  const { runbooks, problems } = readAll(dir);
  if (problems.length) throw new InputError(`${problems.length} problem(s) in runbooks under ${dir}`, problems);
  return runbooks;
}

/**
 * Fill `{{placeholder}}`s from the alert. A contact missing from the inventory reads
 * "(chưa khai báo)" / "(not declared)", never someone else's number.
 */
export function fillPlaceholders(text: string, vars: Partial<Record<RunbookPlaceholder, string>>, lang: Lang): string {
  return text.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => {
    if (!(RUNBOOK_PLACEHOLDERS as readonly string[]).includes(name)) return whole;
    const v = vars[name as RunbookPlaceholder];
    if (v) return v;
    if (name === 'site' && vars.commune) return vars.commune;
    return name.endsWith('_contact') ? contactLine(null, lang) : whole;
  });
}

/** Placeholder values for one incident: its site, its commune, and the people from resolveContacts. */
export function runbookVars(input: { site?: string; commune: string; contacts: ResolvedContacts }, lang: Lang): Record<RunbookPlaceholder, string> {
  const c = input.contacts;
  return {
    site: input.site ?? input.commune,
    commune: input.commune,
    site_contact: contactLine(c.site_contact, lang),
    commune_contact: contactLine(c.commune_contact, lang),
    escalation_contact: contactLine(c.escalation_contact, lang),
    isp_contact: contactLine(c.isp_contact, lang),
    district_contact: contactLine(c.escalation_contact, lang),
  };
}
