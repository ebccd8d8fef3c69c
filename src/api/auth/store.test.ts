import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/sqlite.js';
import { AuthStore } from './store.js';
import { hashPassword, verifyPassword } from './password.js';

describe('passwords', () => {
  it('are salted scrypt hashes, verified only by the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b); // salted
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsE', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(await verifyPassword('x', null)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('AuthStore', () => {
  it('sessions expire, survive a new store on the same file, and end on a password change', async () => {
    let now = 1_000_000;
    const db = openDatabase(':memory:');
    const store = new AuthStore(db, () => now);
    const u = await store.addUser('lan', 'operator', [{ level: 'commune', name: 'Xã An' }], 'first-pass-1');
    const s = store.createSession(u.id, 60_000);
    expect(store.getSession(s.id)).toMatchObject({ user: { name: 'lan' }, csrf: s.csrf });
    expect(store.getSession(`${s.id}x`)).toBeNull();
    // the stored id is a hash, not the cookie value
    expect(JSON.stringify(db.prepare('SELECT * FROM sessions').all())).not.toContain(s.id);
    const again = new AuthStore(db, () => now); // migrations are idempotent
    expect(again.getSession(s.id)).not.toBeNull();
    now += 60_000;
    expect(store.getSession(s.id)).toBeNull();
    const s2 = store.createSession(u.id, 60_000);
    await store.setPassword('lan', 'second-pass-2');
    expect(store.getSession(s2.id)).toBeNull();
    expect(await store.checkLogin('lan', 'second-pass-2')).not.toBeNull();
    expect(await store.checkLogin('lan', 'first-pass-1')).toBeNull();
  });

  it('tokens resolve to their user, record last use, and are per user to delete', async () => {
    let now = 5;
    const store = new AuthStore(openDatabase(':memory:'), () => now);
    const a = await store.addUser('a', 'admin', [], null);
    const b = await store.addUser('b', 'reviewer', [{ level: 'province', name: 'P' }], null);
    const t = store.createToken(a.id, 'nms');
    now = 99;
    expect(store.userForToken(t.token)?.name).toBe('a');
    expect(store.listTokens(a.id)).toEqual([{ id: t.id, name: 'nms', created_at: 5, last_used_at: 99 }]);
    expect(store.deleteToken(b.id, t.id)).toBe(false);
    expect(store.deleteToken(a.id, t.id)).toBe(true);
    expect(store.userForToken(t.token)).toBeNull();
    // a user without a password cannot log in with any password, the empty one included
    expect(await store.checkLogin('a', '')).toBeNull();
  });
});
