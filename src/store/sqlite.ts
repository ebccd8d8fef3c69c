/**
 * Operational state (incidents, acknowledgements, runbook progress, users, tokens, audit) lives in
 * ONE SQLite file, WAL mode. Each module owns its tables and declares its migrations in code.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))');
  return db;
}

/**
 * Apply a module's migrations in order, each once, each in a transaction.
 * `migrations[i]` is version i+1; never edit a released entry, append a new one.
 */
export function migrate(db: Db, module: string, migrations: string[]): void {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE module = ?').get(module) as { v: number | null };
  const current = row.v ?? 0;
  for (let i = current; i < migrations.length; i++) {
    db.transaction(() => {
      db.exec(migrations[i]!);
      db.prepare('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)').run(module, i + 1, new Date().toISOString());
    })();
  }
}

/** THE operational SQLite file (incidents, users, tokens, sessions, audit): what `pointwatch run` opens. */
export function databaseFile(settings: { data_dir: string }): string {
  return path.resolve(settings.data_dir, 'pointwatch.sqlite');
}
