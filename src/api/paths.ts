import path from 'node:path';
import type { Settings } from '../config/schema.js';

/** THE operational SQLite file (users, tokens, sessions, audit; incidents live there too). */
export function databaseFile(settings: Settings): string {
  return path.resolve(settings.data_dir, 'pointwatch.db');
}
