import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsWithDefaults } from '../../config/defaults.js';
import { checkNotificationSetup, runbooksDir } from './check.js';

describe('checkNotificationSetup', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pwcheck-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the example settings find config/runbooks and pass', () => {
    const settingsPath = path.resolve('config/pointwatch.example.yaml');
    const s = settingsWithDefaults({});
    expect(runbooksDir(s, settingsPath)).toBe(path.resolve('config/runbooks'));
    expect(checkNotificationSetup(s, settingsPath)).toEqual([]);
  });
  it('a settings file elsewhere without runbooks fails, naming the folder', () => {
    const settingsPath = path.join(tmp, 'pointwatch.yaml');
    const s = settingsWithDefaults({ notifiers: [{ type: 'zalo', name: 'z', app_id: '1', app_secret: 'x', access_token: 'y', template_id: 't', fallback: 'sms' }] });
    expect(checkNotificationSetup(s, settingsPath)).toEqual([
      { path: ['notifiers', 0, 'fallback'], message: 'no notifier named "sms"' },
      `${path.join(tmp, 'runbooks')}: runbook directory not found`,
    ]);
  });
});
