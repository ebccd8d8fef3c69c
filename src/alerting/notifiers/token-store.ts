/**
 * Zalo OA tokens that survive a restart. Zalo refresh tokens are single-use: after a refresh the
 * configured refresh token is spent, so the new pair must be kept. One row per notifier in the
 * operational SQLite database (the data_dir file, which already holds other secrets at rest).
 */
import type { Db } from '../../store/sqlite.js';
import { migrate } from '../../store/sqlite.js';
import type { ZaloTokens, ZaloTokenStore } from './types.js';

export const TOKEN_MIGRATIONS = [
  `CREATE TABLE notifier_tokens (
     notifier TEXT PRIMARY KEY,
     access_token TEXT NOT NULL,
     refresh_token TEXT,
     expires_at INTEGER,
     source TEXT,
     updated_at INTEGER NOT NULL
   )`,
];

export function sqliteTokenStore(db: Db, now: () => number = Date.now): ZaloTokenStore {
  migrate(db, 'notifier_tokens', TOKEN_MIGRATIONS);
  const get = db.prepare('SELECT access_token, refresh_token, expires_at, source FROM notifier_tokens WHERE notifier = ?');
  const put = db.prepare(`INSERT INTO notifier_tokens (notifier, access_token, refresh_token, expires_at, source, updated_at)
    VALUES (@notifier, @access_token, @refresh_token, @expires_at, @source, @updated_at)
    ON CONFLICT(notifier) DO UPDATE SET access_token = excluded.access_token, refresh_token = excluded.refresh_token,
      expires_at = excluded.expires_at, source = excluded.source, updated_at = excluded.updated_at`);
  return {
    get(notifier) {
      const row = get.get(notifier) as { access_token: string; refresh_token: string | null; expires_at: number | null; source: string | null } | undefined;
      if (!row) return undefined;
      const t: ZaloTokens = { access_token: row.access_token };
      if (row.refresh_token !== null) t.refresh_token = row.refresh_token;
      if (row.expires_at !== null) t.expires_at = row.expires_at;
      if (row.source !== null) t.source = row.source;
      return t;
    },
    set(notifier, t) {
      put.run({ notifier, access_token: t.access_token, refresh_token: t.refresh_token ?? null, expires_at: t.expires_at ?? null, source: t.source ?? null, updated_at: now() });
    },
  };
}
