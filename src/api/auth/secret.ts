import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Settings } from '../../config/schema.js';

/**
 * The cookie signing key: settings.api.session_secret, else `<data_dir>/session.secret`
 * (generated once, mode 0600, so sessions survive restarts).
 */
export function resolveSessionSecret(settings: Settings, baseDir = process.cwd()): string {
  if (settings.api.session_secret) return settings.api.session_secret;
  const file = path.resolve(baseDir, settings.data_dir, 'session.secret');
  try {
    const s = fs.readFileSync(file, 'utf8').trim();
    if (s.length >= 32) return s;
  } catch {
    // absent: create below
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const s = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${s}\n`, { mode: 0o600 });
  return s;
}
