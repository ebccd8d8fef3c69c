/**
 * Every channel, in one map the compiler checks against the config's `type` union: adding a
 * notifier type to the schema without a factory here is a build error (design.md example 7).
 */
import type { NotifierConfig } from '../../core/types.js';
import { createEmail } from './email.js';
import { formatPath } from '../../config/validate.js';
import { unknownZaloFields, ZALO_FIELDS } from './messages.js';
import { createSms } from './sms.js';
import { createTelegram } from './telegram.js';
import type { Factory, Notifier, NotifierDeps, NotifierType } from './types.js';
import { createWebhook } from './webhook.js';
import { createZalo } from './zalo.js';

export const NOTIFIER_FACTORIES = {
  webhook: createWebhook,
  email: createEmail,
  telegram: createTelegram,
  zalo: createZalo,
  sms: createSms,
} satisfies { [K in NotifierType]: Factory<Extract<NotifierConfig, { type: K }>> };

export function createNotifier(config: NotifierConfig, deps: NotifierDeps = {}): Notifier {
  // The map is keyed by the same union: the cast only tells TS the factory matches its config.
  const factory = NOTIFIER_FACTORIES[config.type] as Factory<NotifierConfig>;
  return factory(config, deps);
}

export function createNotifiers(configs: readonly NotifierConfig[], deps: NotifierDeps = {}): Notifier[] {
  return configs.map((c) => createNotifier(c, deps));
}

/** A problem in the `notifiers:` list: the path of the field to blame (check-config turns it into file:line:col). */
export interface NotifierProblem {
  path: Array<string | number>;
  message: string;
  /** Blame the key itself (an unknown field), not its value. */
  key?: boolean;
}

/**
 * Cross-field problems in the `notifiers:` list, for check-config (the schema checks each entry):
 * duplicate names, a `fallback` naming no notifier, itself, a channel that cannot reach contacts,
 * or one with a fallback of its own,
 * unknown fields in a Zalo `template_params` mapping, an SMS URL without a scheme.
 */
export function notifierProblems(configs: readonly NotifierConfig[]): NotifierProblem[] {
  const problems: NotifierProblem[] = [];
  const names = new Map<string, NotifierConfig>();
  configs.forEach((c, i) => {
    if (names.has(c.name)) problems.push({ path: ['notifiers', i, 'name'], message: `duplicate notifier name "${c.name}"` });
    names.set(c.name, c);
  });
  configs.forEach((c, i) => {
    if ((c.type === 'zalo' || c.type === 'telegram' || c.type === 'email') && c.fallback !== undefined) {
      const at = ['notifiers', i, 'fallback'];
      const f = names.get(c.fallback);
      if (!f) problems.push({ path: at, message: `no notifier named "${c.fallback}"` });
      else if (f.name === c.name) problems.push({ path: at, message: 'a notifier cannot be its own fallback' });
      else if (f.type !== 'sms' && f.type !== 'email' && f.type !== 'telegram') problems.push({ path: at, message: `"${c.fallback}" is a ${f.type} notifier; a fallback reaches contacts (sms, email or telegram)` });
      else if ('fallback' in f && f.fallback !== undefined) problems.push({ path: at, message: `"${c.fallback}" has a fallback of its own (one level only)` });
    }
    if (c.type === 'zalo') {
      for (const k of unknownZaloFields(c.template_params)) {
        problems.push({ path: ['notifiers', i, 'template_params', k], message: `unknown template field "${k}" (known: ${ZALO_FIELDS.join(', ')})`, key: true });
      }
    }
    const field = c.type === 'webhook' || c.type === 'sms' ? 'url' : c.type === 'telegram' || c.type === 'zalo' ? 'api_base' : undefined;
    const url = field === 'url' ? (c as { url: string }).url : field === 'api_base' ? (c as { api_base: string }).api_base : undefined;
    if (field && url !== undefined && !/^https?:\/\//.test(url)) problems.push({ path: ['notifiers', i, field], message: `"${c.name}" URL must start with http:// or https://` });
  });
  return problems;
}

/** The same problems as text, `notifiers[i].field: message` (for `pointwatch notify`). */
export function checkNotifiers(configs: readonly NotifierConfig[]): string[] {
  return notifierProblems(configs).map((p) => `${formatPath(p.path)}: ${p.message}`);
}
