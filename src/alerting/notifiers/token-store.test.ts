import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/sqlite.js';
import { sqliteTokenStore } from './token-store.js';

describe('sqliteTokenStore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pwnotif-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'pointwatch.db');

  it('keeps refreshed tokens across a reopen (a restart)', () => {
    const db1 = openDatabase(file);
    const s1 = sqliteTokenStore(db1, () => 1000);
    expect(s1.get('zalo')).toBeUndefined();
    s1.set('zalo', { access_token: 'a1', refresh_token: 'r1', expires_at: 5000, source: 'fp' });
    s1.set('zalo', { access_token: 'a2', refresh_token: 'r2', expires_at: 9000, source: 'fp' });
    db1.close();
    const db2 = openDatabase(file);
    const s2 = sqliteTokenStore(db2);
    expect(s2.get('zalo')).toEqual({ access_token: 'a2', refresh_token: 'r2', expires_at: 9000, source: 'fp' });
    expect(s2.get('other')).toBeUndefined();
    db2.close();
  });
});
