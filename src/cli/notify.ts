/**
 * `pointwatch notify test`: send a clearly marked test notification on the configured channels
 * (or show, with --dry-run, exactly what each channel would send), so an operator can check a
 * bot token, an SMTP login, a ZNS template or an SMS gateway before a real outage does.
 * Exit 1 when any delivery failed. Secrets never appear in the output.
 */
import type { Command } from 'commander';
import { placeOf } from '../inventory/places.js';
import { InputError } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { LANGS } from '../config/schema.js';
import type { Lang, NotifierConfig, Settings, Inventory } from '../core/types.js';
import type { Notice, Recipient } from '../alerting/notice.js';
import { createDispatcher } from '../alerting/notifiers/dispatcher.js';
import { createNotifiers, notifierProblems } from '../alerting/notifiers/registry.js';
import { loadConfig } from '../config/load.js';
import { buildEmail, buildSms, buildTelegramHtml, buildZaloTemplateData, buildText } from '../alerting/notifiers/messages.js';
import { buildWebhookBody } from '../alerting/notifiers/webhook.js';
import type { DeliveryResult } from '../alerting/notifiers/types.js';
import { withConfigOptions, type ConfigOptions } from './options.js';

interface NotifyOptions extends ConfigOptions {
  notifier?: string[];
  lang?: string;
  phone?: string;
  email?: string;
  telegram?: string;
  site?: string;
  dryRun?: boolean;
}

/** A test notice about a real inventory site (or a sample), marked as a test in its detail. */
export function testNotice(settings: Settings, inventory: Inventory, opts: { lang: Lang; site?: string; recipient?: Recipient; now: number }): Notice {
  const s = opts.site ? inventory.sites.find((x) => x.id === opts.site) : inventory.sites[0];
  if (opts.site && !s) throw new InputError(`--site: no site with id "${opts.site}" in the inventory`);
  const base = settings.api.public_url.replace(/\/+$/, '');
  const area = s ? placeOf(s) : { commune: 'Thử nghiệm', province: 'Thử nghiệm' };
  return {
    id: `test-${opts.now}`,
    kind: 'site-down',
    event: 'firing',
    incident_id: 0,
    site: s ? { id: s.id, name: s.name, kind: s.kind, ...area, ...(s.village ? { village: s.village } : {}) } : null,
    area,
    state: 'DOWN',
    since: opts.now - 5 * 60_000,
    detail: opts.lang === 'vi' ? 'TIN THỬ NGHIỆM từ pointwatch, không phải sự cố thật' : 'TEST message from pointwatch, not a real outage',
    condition: [{ k: 'test' }], // rendered in each recipient's language
    affected: [],
    runbook_url: `${base}/runbooks/${opts.lang}/site-down`,
    ack_url: `${base}/incidents`,
    level: 'commune',
    recipients: opts.recipient ? [opts.recipient] : [],
    lang: opts.lang,
  };
}

/** What one notifier would send for a notice (no IO). */
export function preview(c: NotifierConfig, notice: Notice, tz: string): string {
  const lang = notice.recipients[0]?.lang ?? notice.lang;
  switch (c.type) {
    case 'webhook':
      return JSON.stringify(buildWebhookBody(notice, Date.now(), tz), null, 2);
    case 'email': {
      const m = buildEmail(notice, lang, { tz });
      return `Subject: ${m.subject}\n\n${m.text}`;
    }
    case 'telegram':
      return buildTelegramHtml(notice, lang, { tz });
    case 'zalo':
      return JSON.stringify({ template_id: c.template_id, template_data: buildZaloTemplateData(notice, lang, c.template_params, { tz }) }, null, 2);
    case 'sms': {
      const s = buildSms(notice, lang, { tz, maxParts: c.max_parts, encoding: c.encoding });
      return `${s.text}\n(${s.encoding}, ${s.units} units, ${s.part_count} part(s)${s.dropped.length ? `, dropped: ${s.dropped.join(', ')}` : ''})`;
    }
  }
}

function row(r: DeliveryResult): string {
  const tail = r.ok ? `ok${r.provider_id ? ` id=${r.provider_id}` : ''}` : `FAILED${r.status ? ` (${r.status})` : ''}: ${r.error ?? ''}`;
  return `${r.notifier.padEnd(16)} ${r.channel.padEnd(9)} ${r.recipient.padEnd(28)} ${tail}${r.fallback_for ? ` [fallback for ${r.fallback_for}]` : ''}`;
}

export function register(program: Command): void {
  const notify = program.command('notify').description('Notification channels');
  withConfigOptions(
    notify
      .command('test')
      .description('Send a test notification on every configured channel (or only --notifier NAME); exit 1 if any delivery failed')
      .option('-n, --notifier <name...>', 'only these notifiers (by name)')
      .option('--lang <lang>', `message language (${LANGS.join(', ')}); default alerting.default_lang`)
      .option('--phone <number>', 'also send to this phone (Zalo, SMS)')
      .option('--email <address>', 'also send to this address')
      .option('--telegram <chat_id>', 'also send to this Telegram chat')
      .option('--site <id>', 'site the test message names (default: the first in the inventory)')
      .option('--dry-run', 'print what each channel would send; send nothing'),
  ).action(async (opts: NotifyOptions) => {
    // notifier problems are bad input here as in check-config: each at its file:line:col
    const cfg = await loadConfig({ config: opts.config, inventory: opts.inventory, extraChecks: (s) => notifierProblems(s.notifiers) });
    const { settings, inventory } = cfg;
    const lang = (opts.lang ?? settings.alerting.default_lang) as Lang;
    if (!(LANGS as readonly string[]).includes(lang)) throw new InputError(`--lang: must be one of ${LANGS.join(', ')} (got "${opts.lang}")`);
    let configs = settings.notifiers;
    if (opts.notifier?.length) {
      const unknown = opts.notifier.filter((n) => !configs.some((c) => c.name === n));
      if (unknown.length) throw new InputError(`--notifier: no notifier named ${unknown.map((u) => `"${u}"`).join(', ')} (configured: ${configs.map((c) => c.name).join(', ') || 'none'})`);
      const wanted = new Set(opts.notifier);
      // Keep the fallback of a chosen notifier, so Zalo → SMS is tested as it runs.
      for (const c of configs) if (wanted.has(c.name) && c.type === 'zalo' && c.fallback) wanted.add(c.fallback);
      configs = configs.filter((c) => wanted.has(c.name));
    }
    if (!configs.length) throw new InputError('no notifier configured (settings: notifiers)');
    const recipient: Recipient | undefined = opts.phone || opts.email || opts.telegram
      ? { name: 'pointwatch test', level: 'commune', lang, ...(opts.phone ? { phone: opts.phone } : {}), ...(opts.email ? { email: opts.email } : {}), ...(opts.telegram ? { telegram_chat_id: opts.telegram } : {}) }
      : undefined;
    const notice = testNotice(settings, inventory, { lang, site: opts.site, recipient, now: Date.now() });
    const tz = settings.reports.timezone;

    if (opts.dryRun) {
      process.stdout.write(`${buildText(notice, lang, { tz })}\n`);
      for (const c of configs) process.stdout.write(`\n=== ${c.name} (${c.type}) ===\n${preview(c, notice, tz)}\n`);
      return;
    }
    const logger = createLogger({ level: 'warn' });
    const results: DeliveryResult[] = [];
    const d = createDispatcher({ notifiers: createNotifiers(configs, { logger, tz }), logger, tickMs: 0, record: (_n, rs) => results.push(...rs) });
    await d.dispatch(notice);
    await d.close();
    for (const r of results) process.stdout.write(`${row(r)}\n`);
    if (!results.length) process.stdout.write('no delivery: no channel had a target (give --phone, --email or --telegram, or configure to/chat_ids)\n');
    const failed = results.filter((r) => !r.ok && !results.some((o) => o.ok && o.fallback_for === r.notifier && o.contact === r.contact));
    if (failed.length) process.exitCode = 1;
  });
}
