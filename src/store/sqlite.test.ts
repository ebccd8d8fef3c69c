import { describe, expect, it } from 'vitest';
import { openDatabase, migrate } from './sqlite.js';

describe('migrate', () => {
  it('applies each migration once, in order, per module', () => {
    const db = openDatabase(':memory:');
    migrate(db, 'a', ['CREATE TABLE t (x INTEGER)']);
    migrate(db, 'a', ['CREATE TABLE t (x INTEGER)', 'ALTER TABLE t ADD COLUMN y TEXT']);
    db.prepare('INSERT INTO t (x, y) VALUES (1, ?)').run('ok');
    expect(db.prepare('SELECT y FROM t').get()).toEqual({ y: 'ok' });
    const versions = db.prepare("SELECT version FROM schema_migrations WHERE module='a' ORDER BY version").all();
    expect(versions).toEqual([{ version: 1 }, { version: 2 }]);
  });
  it('rolls back a failing migration whole', () => {
    const db = openDatabase(':memory:');
    expect(() => migrate(db, 'b', ['CREATE TABLE u (x INTEGER); CREATE TABLE broken ('])).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name='u'").get()).toBeUndefined();
  });
});
