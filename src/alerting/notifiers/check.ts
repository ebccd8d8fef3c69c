/**
 * What check-config asks of the notification side: the notifier list is coherent, and every
 * alert kind has a complete runbook in every language (so a missing runbook fails at check time,
 * not in a 3 a.m. alert).
 */
import path from 'node:path';
import type { Settings } from '../../core/types.js';
import { checkRunbooks } from '../../runbooks/load.js';
import { notifierProblems, type NotifierProblem } from './registry.js';

/** The runbook folder: `runbooks_dir`, relative to the settings file. */
export function runbooksDir(settings: Pick<Settings, 'runbooks_dir'>, settingsPath: string): string {
  return path.resolve(path.dirname(settingsPath), settings.runbooks_dir);
}

/**
 * Every problem: the notifier ones as the settings field to blame (the loader positions them in
 * the settings file, file:line:col), the runbook ones as text already prefixed `file:line:col`
 * (or the missing file or folder).
 */
export function checkNotificationSetup(settings: Settings, settingsPath: string): Array<NotifierProblem | string> {
  return [
    ...notifierProblems(settings.notifiers),
    ...checkRunbooks(runbooksDir(settings, settingsPath)),
  ];
}
