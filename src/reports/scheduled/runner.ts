/**
 * Scheduled reports (settings.scheduled_reports), sent by themselves and ONCE:
 *  - still_down (daily): to each commune's contacts, the points of the commune down right now,
 *    with the digest of the alerts the SMS/Zalo budget held back;
 *  - weekly: to each commune's contacts, availability of its points over the 7 days before;
 *  - monthly: to each province's contacts, the coverage report of the month before (HTML to
 *    print + CSV attached, the SMS/Zalo spending listed) by e-mail, and its link by Telegram/Zalo.
 *
 * `runDue()` asks, for each report, for the latest fire time of its cron pattern ≤ now (injected
 * clock) and sends that period to every recipient not yet recorded in SQLite (a key per
 * report + period + area + channel + address). A restart asks the same question and finds the
 * keys; a fire missed while stopped is caught up once at start (only the latest; never a fire
 * before the first start). node-cron calls runDue at each pattern and every 10 minutes for retries.
 * Zalo goes through the Zalo notifier (createZalo().sendTemplate): the token the alerts refreshed,
 * refreshed here when it has expired, kept in the same store (default: the `db` file).
 */
import cron, { type ScheduledTask } from 'node-cron';
import nodemailer from 'nodemailer';
import type { Contact, Inventory, Lang, NotifierConfig, Settings } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import type { Db } from '../../store/sqlite.js';
import { migrate } from '../../store/sqlite.js';
import type { LiveState } from '../../api/deps.js';
import type { CoverageReport } from '../coverage.js';
import { renderCsv, renderHtml } from '../render/index.js';
import { BudgetStore, monthOf } from '../../alerting/budget.js';
import { areaCovers, communeKey } from '../../inventory/places.js';
import { requestWithRetry } from '../../alerting/notifiers/http.js';
import { telegramUrl } from '../../alerting/notifiers/telegram.js';
import { createZalo, zaloPhoneOf, type ZaloTokenStore } from '../../alerting/notifiers/zalo.js';
import { sqliteTokenStore } from '../../alerting/notifiers/token-store.js';
import { lastFire, periodFor, REPORT_KINDS, ymd, type Period, type ReportKind } from './periods.js';
import { budgetSection, digestMessage, monthlyMessage, stillDownMessage, telegramText, weeklyMessage, type Message } from './content.js';
import { coverageMap, MAP_CLASSES, type MapClass } from '../map.js';
import { classLabel, pt } from '../../web/public/i18n.js';

export type Channel = 'email' | 'telegram' | 'zalo';

export interface Attachment {
  filename: string;
  content: string;
  contentType: string;
}

/** One message to one address: what the dry run prints and what runDue sends. */
export interface PlannedSend {
  key: string;
  report: ReportKind | 'digest';
  period: string;
  area: string;
  channel: Channel;
  to: string;
  lang: Lang;
  subject: string;
  /** Already sent (a dry run shows it; runDue skips it). */
  sent: boolean;
  message: Message;
  attachments: Attachment[];
  link?: string;
}

export interface ScheduledDeps {
  settings: Settings;
  inventory(): Inventory;
  states(): ReadonlyMap<string, LiveState>;
  /** The coverage report of a period (runCoverageReport in production). */
  coverage(p: { from: number; to: number; province?: string }): Promise<CoverageReport>;
  db: Db;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
  /** Recorded as the first start when none is (default now): fires before it are never caught up. A dry run passes 0. */
  firstStart?: number;
  /** Where the Zalo notifier keeps refreshed OA tokens (default: the `db` file, shared with alert notices). */
  tokenStore?: ZaloTokenStore;
}

const MIGRATIONS = [
  `CREATE TABLE report_sends (
     key TEXT PRIMARY KEY, report TEXT NOT NULL, period TEXT NOT NULL, channel TEXT NOT NULL, recipient TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')), attempts INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL, error TEXT);
   CREATE TABLE report_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
];

const DOWN_STATES = new Set(['DOWN', 'UNREACHABLE']);

function notifierOf<T extends NotifierConfig['type']>(s: Settings, type: T, name?: string): Extract<NotifierConfig, { type: T }> | undefined {
  return s.notifiers.find((n): n is Extract<NotifierConfig, { type: T }> => n.type === type && (name === undefined || n.name === name));
}

/** The contacts of an area: its `areas` entries, and for a commune also its sites' contacts (as alerts reach them). */
function areaContacts(inv: Inventory, level: 'commune' | 'province', place: { province: string; commune?: string }): Contact[] {
  const where = { province: place.province, commune: place.commune ?? '' };
  const own = inv.areas.filter((a) => a.level === level && areaCovers(a, where)).flatMap((a) => a.contacts);
  return level === 'commune' ? [...own, ...inv.sites.filter((x) => communeKey(x) === communeKey(where)).flatMap((x) => x.contacts)] : own;
}

export function createReportRunner(deps: ScheduledDeps) {
  const s = deps.settings;
  const sr = s.scheduled_reports;
  const tz = s.reports.timezone;
  const log = deps.logger.child({ component: 'scheduled-reports' });
  migrate(deps.db, 'scheduled_reports', MIGRATIONS);
  const budget = new BudgetStore(deps.db);
  deps.db.prepare('INSERT OR IGNORE INTO report_meta (name, value) VALUES (?, ?)').run('first_start', deps.firstStart ?? deps.clock.now());
  const firstStart = (deps.db.prepare("SELECT value FROM report_meta WHERE name = 'first_start'").get() as { value: number }).value;
  const patterns: Record<ReportKind, string> = { still_down: sr.still_down, weekly: sr.weekly, monthly: sr.monthly };
  const email = notifierOf(s, 'email', sr.email);
  const telegram = notifierOf(s, 'telegram', sr.telegram);
  const zalo = notifierOf(s, 'zalo', sr.zalo);
  // The Zalo notifier itself (not a copy of its request): the stored token, refreshed when expired, kept.
  const zaloSender = zalo ? createZalo(zalo, { fetch: deps.fetch, clock: deps.clock, logger: log, tz, tokenStore: deps.tokenStore ?? sqliteTokenStore(deps.db) }) : null;
  const transport = email ? nodemailer.createTransport({
    host: email.host, port: email.port, secure: email.secure,
    auth: email.user ? { user: email.user, pass: email.password ?? '' } : undefined,
    connectionTimeout: email.timeout_ms, greetingTimeout: email.timeout_ms, socketTimeout: email.timeout_ms,
  }) : null;
  const base = s.api.public_url.replace(/\/+$/, '');

  const status = (key: string) => (deps.db.prepare('SELECT status FROM report_sends WHERE key = ?').get(key) as { status: string } | undefined)?.status;

  /** Every message of one report for one period, to every address on every channel it has. */
  function addressed(report: PlannedSend['report'], period: Period, area: string, contacts: Contact[], build: (lang: Lang) => Message, opts: { attachments?: (lang: Lang) => Attachment[]; link?: string; channels?: Channel[] } = {}): PlannedSend[] {
    const out: PlannedSend[] = [];
    const channels = opts.channels ?? ['email', 'telegram'];
    const built = new Map<Lang, Message>();
    const msg = (l: Lang) => built.get(l) ?? (built.set(l, build(l)), built.get(l)!);
    const seen = new Set<string>();
    for (const c of contacts) {
      const lang = c.lang ?? s.alerting.default_lang;
      const targets: Array<[Channel, string | null | undefined]> = [
        ['email', email ? c.email : null],
        ['telegram', telegram ? c.telegram_chat_id : null],
        ['zalo', zalo && opts.link ? zaloPhoneOf({ ...c, level: 'commune' }) : null],
      ];
      for (const [channel, to] of targets) {
        if (!to || !channels.includes(channel)) continue;
        const key = `${report}|${period.id}|${area}|${channel}:${to}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const m = msg(lang);
        out.push({ key, report, period: period.id, area, channel, to, lang, subject: m.subject, sent: status(key) === 'sent', message: m, attachments: channel === 'email' ? opts.attachments?.(lang) ?? [] : [], link: opts.link });
      }
    }
    return out;
  }

  /** What is due at `now`: every planned send of the latest period of each report. */
  async function plan(now = deps.clock.now()): Promise<PlannedSend[]> {
    const inv = deps.inventory();
    const out: PlannedSend[] = [];
    const communes = new Map<string, { province: string; commune: string }>();
    for (const x of inv.sites) communes.set(communeKey(x), { province: x.province, commune: x.commune });
    for (const kind of REPORT_KINDS) {
      const fire = lastFire(patterns[kind], now, tz);
      if (fire === null || fire < firstStart) continue;
      const period = periodFor(kind, fire, tz);
      if (kind === 'still_down') {
        const states = deps.states();
        const pending = budget.pendingDigest();
        for (const [key, a] of communes) {
          const contacts = areaContacts(inv, 'commune', a);
          const down = inv.sites.filter((x) => communeKey(x) === key).flatMap((x) => {
            const st = states.get(x.id);
            return st && DOWN_STATES.has(st.state) ? [{ name: x.name, state: st.state, since: st.since }] : [];
          }).sort((p, q) => p.since - q.since);
          if (down.length) out.push(...addressed('still_down', period, key, contacts, (l) => stillDownMessage(l, { commune: a.commune, at: fire, tz, points: down, link: `${base}/board` })));
          const folded = pending.get(key);
          if (folded?.length) out.push(...addressed('digest', period, key, contacts, (l) => digestMessage(l, { commune: a.commune, tz, notices: folded })));
        }
      } else if (kind === 'weekly') {
        const plans: Array<{ key: string; a: { commune: string }; contacts: Contact[] }> = [];
        for (const [key, a] of communes) plans.push({ key, a, contacts: areaContacts(inv, 'commune', a) });
        const todo = plans.filter((p) => addressed('weekly', period, p.key, p.contacts, () => ({ subject: '', text: '', html: '' })).some((x) => !x.sent));
        if (!todo.length) {
          for (const p of plans) out.push(...addressed('weekly', period, p.key, p.contacts, (l) => ({ subject: pt0(l, p.a.commune, period), text: '', html: '' })));
          continue;
        }
        const report = await coverageOrNull({ from: period.from, to: period.to }, 'weekly');
        if (!report) continue;
        for (const p of plans) {
          const sites = report.sites.filter((x) => communeKey(x) === p.key);
          out.push(...addressed('weekly', period, p.key, p.contacts, (l) => weeklyMessage(l, { commune: p.a.commune, from: period.from, to: period.to, tz, sites, link: `${base}/board` })));
        }
      } else {
        for (const province of new Set(inv.sites.map((x) => x.province))) {
          const contacts = areaContacts(inv, 'province', { province });
          const link = `${base}/coverage?${new URLSearchParams({ from: ymd(period.from, tz), to: ymd(period.to - 43_200_000, tz), group_by: 'commune', province })}`;
          const skeleton = addressed('monthly', period, province, contacts, () => ({ subject: '', text: '', html: '' }), { link, channels: ['email', 'telegram', 'zalo'] });
          if (!skeleton.some((x) => !x.sent)) {
            out.push(...skeleton.map((x) => ({ ...x, subject: `${period.id} ${province}` })));
            continue;
          }
          const report = await coverageOrNull({ from: period.from, to: period.to, province }, 'monthly');
          if (!report) continue;
          const month = monthOf(period.from, tz);
          const spent = budget.monthReport(month).filter((r) => r.commune.startsWith(`${province}/`)).map((r) => ({ ...r, commune: r.commune.split('/').pop()! }));
          const limit = s.budget.sms_zalo_per_commune_month;
          const map = (l: Lang) => reportMap(report, inv.sites, s, l);
          out.push(...addressed('monthly', period, province, contacts, (l) => monthlyMessage(l, { province, month, total: report.total, target: s.reports.target_pct, link, budget: budgetSection(l, spent, limit) }), {
            link, channels: ['email', 'telegram', 'zalo'],
            attachments: (l) => [
              { filename: `coverage-${slugish(province)}-${month}.html`, contentType: 'text/html; charset=utf-8', content: renderHtml(report, 'commune', { lang: l, title: monthlyMessage(l, { province, month, total: report.total, target: s.reports.target_pct, link, budget: { text: '', html: '' } }).subject, map: map(l), extra: budgetSection(l, spent, limit).html }) },
              { filename: `coverage-${slugish(province)}-${month}.csv`, contentType: 'text/csv; charset=utf-8', content: renderCsv(report, 'site') },
            ],
          }));
        }
      }
    }
    return out;
  }

  /** A report that cannot be computed now (store down) is skipped and tried again at the next tick. */
  async function coverageOrNull(p: { from: number; to: number; province?: string }, kind: ReportKind): Promise<CoverageReport | null> {
    try {
      return await deps.coverage(p);
    } catch (err) {
      log.warn({ report: kind, province: p.province, err: errorMessage(err) }, 'coverage for a scheduled report failed; tried again later');
      return null;
    }
  }

  const pt0 = (_l: Lang, commune: string, period: Period) => `${period.id} ${commune}`;

  async function deliver(p: PlannedSend): Promise<void> {
    if (p.channel === 'email') {
      if (!transport || !email) throw new Error('no email notifier');
      await transport.sendMail({
        from: email.from, to: p.to, subject: p.message.subject, text: p.message.text, html: p.message.html,
        attachments: p.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
        headers: { 'X-Pointwatch-Report': p.key },
      });
      return;
    }
    if (p.channel === 'telegram') {
      const t = telegram!;
      const out = await requestWithRetry(
        { method: 'POST', url: telegramUrl(t.api_base, t.bot_token, 'sendMessage'), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ chat_id: p.to, text: telegramText(p.message, p.link), parse_mode: 'HTML', link_preview_options: { is_disabled: true } }) },
        { timeoutMs: t.timeout_ms, attempts: t.attempts, fetch: deps.fetch, clock: deps.clock, secrets: [t.bot_token], judge: (_st, json) => ((json as { ok?: unknown } | undefined)?.ok === true ? null : { error: 'Telegram: ok is not true', retryable: false }) },
      );
      if (!out.ok) throw new Error(out.error ?? 'telegram send failed');
      return;
    }
    const z = zalo!;
    const fields: Record<string, string> = { site: p.message.subject.slice(0, 30), commune: p.area.slice(0, 30), state: '', since: p.period, link: p.link ?? '' };
    const data: Record<string, string> = {};
    for (const [field, param] of Object.entries(z.template_params)) if (field in fields) data[param] = fields[field]!;
    const res = await zaloSender!.sendTemplate(p.to, data, p.key.slice(0, 100));
    if (!res.ok) throw new Error(res.error ?? 'zalo send failed');
  }

  let running: Promise<PlannedSend[]> | null = null;

  /** Send what is due and not yet sent; returns what was attempted (with `sent` after the attempt). */
  function runDue(): Promise<PlannedSend[]> {
    running ??= (async () => {
      const now = deps.clock.now();
      const todo = (await plan(now)).filter((p) => !p.sent);
      const done: PlannedSend[] = [];
      for (const p of todo) {
        deps.db.prepare(`INSERT INTO report_sends (key, report, period, channel, recipient, status, at) VALUES (?, ?, ?, ?, ?, 'pending', ?)
          ON CONFLICT(key) DO UPDATE SET status = 'pending', at = excluded.at`).run(p.key, p.report, p.period, p.channel, p.to, now);
        try {
          await deliver(p);
          deps.db.prepare("UPDATE report_sends SET status = 'sent', attempts = attempts + 1, at = ?, error = NULL WHERE key = ?").run(deps.clock.now(), p.key);
          done.push({ ...p, sent: true });
          log.info({ key: p.key, channel: p.channel }, 'scheduled report sent');
        } catch (err) {
          deps.db.prepare("UPDATE report_sends SET status = 'failed', attempts = attempts + 1, at = ?, error = ? WHERE key = ?").run(deps.clock.now(), errorMessage(err), p.key);
          done.push(p);
          log.warn({ key: p.key, channel: p.channel, err: errorMessage(err) }, 'scheduled report failed; retried later');
        }
      }
      // the digest's notices are handed over once every address of the commune has it
      for (const p of done) {
        if (p.report === 'digest' && !todo.some((q) => q.report === 'digest' && q.area === p.area && status(q.key) !== 'sent')) budget.markDigested(p.area, `digest|${p.period}`, now);
      }
      return done;
    })().finally(() => { running = null; });
    return running;
  }

  const tasks: ScheduledTask[] = [];
  const tick = () => { runDue().catch((err) => log.error({ err: errorMessage(err) }, 'scheduled reports failed')); };
  return {
    plan,
    runDue,
    /** Catch up at once, then node-cron at each report's pattern (local time) and every 10 minutes for retries. */
    start() {
      for (const kind of REPORT_KINDS) tasks.push(cron.schedule(patterns[kind], tick, { name: `report-${kind}`, timezone: tz, noOverlap: true }));
      tasks.push(cron.schedule('*/10 * * * *', tick, { name: 'report-retry', timezone: tz, noOverlap: true }));
      tick();
    },
    async stop() {
      for (const t of tasks) await t.stop();
      tasks.length = 0;
      await running?.catch(() => undefined);
      transport?.close();
    },
  };
}

/** The printable report's province map in `lang`; each commune links to its report of the same period on the server. */
export function reportMap(report: CoverageReport, sites: Inventory['sites'], s: Settings, lang: Lang = s.alerting.default_lang): string | undefined {
  const tz = s.reports.timezone;
  const base = s.api.public_url.replace(/\/+$/, '');
  return coverageMap(report, sites, {
    title: pt(lang, 'map'), legend: Object.fromEntries(MAP_CLASSES.map((c) => [c, classLabel(lang, c)])) as Record<MapClass, string>,
    href: (p, c) => `${base}/coverage?${new URLSearchParams({ from: ymd(report.from, tz), to: ymd(report.to - 43_200_000, tz), group_by: 'site', province: p, commune: c })}`,
  })?.svg;
}

const slugish = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export type ReportRunner = ReturnType<typeof createReportRunner>;
