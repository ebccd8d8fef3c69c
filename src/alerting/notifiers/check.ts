/**
 * What check-config asks of the notification side: the notifier list is coherent, and every
 * alert kind has a complete runbook in every language (so a missing runbook fails at check time,
 * not in a 3 a.m. alert).
 */
import path from 'node:path';
import type { Settings } from '../../core/types.js';
import { checkRunbooks } from '../../runbooks/load.js';
import { checkNotifiers } from './registry.js';

/** The runbook folder: `runbooks_dir`, relative to the settings file. */
export function runbooksDir(settings: Pick<Settings, 'runbooks_dir'>, settingsPath: string): string {
  return path.resolve(path.dirname(settingsPath), settings.runbooks_dir);
}

/** Every problem, each prefixed with the file it is in. */
export function checkNotificationSetup(settings: Settings, settingsPath: string): string[] {
  return [
    ...checkNotifiers(settings.notifiers).map((p) => `${settingsPath}: ${p}`),
    ...checkRunbooks(runbooksDir(settings, settingsPath)),
  ];
}
