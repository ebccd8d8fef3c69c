/**
 * Per-site push tokens in the operational SQLite database (module `push`). Only the signing key
 * (SHA-256 of the token, signature.ts) is stored: the token is shown once and never kept or logged.
 * A new token replaces the old one at once (the old one stops working).
 */
import crypto from 'node:crypto';
import { migrate, type Db } from '../store/sqlite.js';
import { signingKey } from './signature.js';

export const PUSH_MIGRATIONS = [
  `CREATE TABLE push_tokens (
     site TEXT PRIMARY KEY,
     key_sha256 TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
];

export class PushTokenStore {
  private readonly get: ReturnType<Db['prepare']>;

  constructor(private readonly db: Db) {
    migrate(db, 'push', PUSH_MIGRATIONS);
    this.get = db.prepare('SELECT key_sha256 FROM push_tokens WHERE site = ?');
  }

  /** A new token for `site` (the old one revoked). The caller shows it once. */
  issue(site: string, at = Date.now()): string {
    const token = `pwp_${crypto.randomBytes(24).toString('base64url')}`;
    this.db.prepare('INSERT INTO push_tokens (site, key_sha256, created_at) VALUES (?, ?, ?) ON CONFLICT(site) DO UPDATE SET key_sha256 = excluded.key_sha256, created_at = excluded.created_at')
      .run(site, signingKey(token), at);
    return token;
  }

  /** The signing key of the site's current token, or null (read on every report: a new token works at once). */
  keyFor(site: string): string | null {
    const row = this.get.get(site) as { key_sha256: string } | undefined;
    return row?.key_sha256 ?? null;
  }

  revoke(site: string): boolean {
    return this.db.prepare('DELETE FROM push_tokens WHERE site = ?').run(site).changes > 0;
  }
}
