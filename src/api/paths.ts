import path from 'node:path';
import type { Settings } from '../config/schema.js';

/** THE operational SQLite file (users, tokens, sessions, audit; incidents live there too): the file src/main.ts opens. */
export function databaseFile(settings: Settings): string {
  return path.resolve(settings.data_dir, 'pointwatch.sqlite');
}
