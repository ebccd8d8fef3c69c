/**
 * Users, API tokens, web sessions and the audit log, in the operational SQLite database
 * (module `api` in schema_migrations). Passwords are scrypt hashes; tokens and session ids are
 * stored as SHA-256 hashes only; the clear values are shown once and never logged.
 */
import { Type, type Static } from '@sinclair/typebox';
import { migrate, type Db } from '../../store/sqlite.js';
import { Nullable } from '../../core/schema.js';
import { InputError } from '../../core/errors.js';
import type { Lang } from '../../config/schema.js';
import { hashPassword, randomSecret, sha256, verifyPassword } from './password.js';
import { readScope, validateScope, type Principal, type Role, type ScopeEntry } from './scope.js';

export const API_MIGRATIONS = [
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL,
     scope TEXT NOT NULL DEFAULT '[]',
     password_hash TEXT,
     lang TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE api_tokens (
     id INTEGER PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     last_used_at INTEGER
   );
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     csrf TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_expiry ON sessions(expires_at);
   CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY,
     at INTEGER NOT NULL,
     user TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     detail TEXT
   );
   CREATE INDEX audit_at ON audit_log(at);`,
];

/** One line of the audit log, as stored and as GET /admin/audit answers it. */
export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.Number({ description: 'epoch ms' }),
  user: Type.String(),
  action: Type.String({ description: 'e.g. incident.acknowledge, maintenance.create, token.delete' }),
  target: Type.String(),
  detail: Nullable(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** An API token as listed: never its value. */
export const TokenInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  created_at: Type.Number(),
  last_used_at: Nullable(Type.Number()),
});
export type TokenInfo = Static<typeof TokenInfo>;

export interface Session {
  user: Principal;
  csrf: string;
  expires_at: number;
}

interface UserRow {
  id: number;
  name: string;
  role: string;
  scope: string;
  password_hash: string | null;
  lang: string | null;
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function toPrincipal(r: UserRow): Principal {
  return { id: r.id, name: r.name, role: r.role as Role, scope: readScope(JSON.parse(r.scope) as ScopeEntry[]), lang: (r.lang as Lang | null) ?? null };
}

export class AuthStore {
  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {
    migrate(db, 'api', API_MIGRATIONS);
  }

  // ------------------------------------------------------------ users

  async addUser(name: string, role: Role, scope: ScopeEntry[], password: string | null): Promise<Principal> {
    if (!USER_NAME.test(name)) throw new InputError(`user name "${name}": use letters, digits, . _ @ - (up to 64)`);
    validateScope(role, scope);
    if (this.findUser(name)) throw new InputError(`user "${name}" already exists`);
    if (password !== null) checkPassword(password);
    const hash = password === null ? null : await hashPassword(password);
    const info = this.db
      .prepare('INSERT INTO users (name, role, scope, password_hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, role, JSON.stringify(scope), hash, this.now());
    return this.userById(Number(info.lastInsertRowid))!;
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPassword(password);
    const user = this.findUser(name);
    if (!user) throw new InputError(`no user "${name}"`);
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(await hashPassword(password), user.id);
    // A new password ends every open session of that user.
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(user.id);
  }

  setLang(userId: number, lang: Lang): void {
    this.db.prepare('UPDATE users SET lang = ? WHERE id = ?').run(lang, userId);
  }

  findUser(name: string): Principal | null {
    const r = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
    return r ? toPrincipal(r) : null;
  }

  userById(id: number): Principal | null {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return r ? toPrincipal(r) : null;
  }

  listUsers(): Principal[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(toPrincipal);
  }

  /** The user when name and password match; null otherwise (same work either way). */
  async checkLogin(name: string, password: string): Promise<Principal | null> {
    const r = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
    const ok = await verifyPassword(password, r?.password_hash ?? null);
    return ok && r ? toPrincipal(r) : null;
  }

  // ------------------------------------------------------------ tokens

  /** Creates an API token; the clear value is returned ONCE and never stored. */
  createToken(userId: number, name: string): { id: number; token: string } {
    const token = `pwt_${randomSecret(32)}`;
    const info = this.db
      .prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(userId, name, sha256(token), this.now());
    return { id: Number(info.lastInsertRowid), token };
  }

  userForToken(token: string): Principal | null {
    const r = this.db
      .prepare('SELECT t.id AS token_id, u.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?')
      .get(sha256(token)) as (UserRow & { token_id: number }) | undefined;
    if (!r) return null;
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(this.now(), r.token_id);
    return toPrincipal(r);
  }

  listTokens(userId: number): TokenInfo[] {
    return this.db
      .prepare('SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id')
      .all(userId) as TokenInfo[];
  }

  deleteToken(userId: number, id: number): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND user_id = ?').run(id, userId).changes > 0;
  }

  // ------------------------------------------------------------ sessions

  createSession(userId: number, ttlMs: number): { id: string; csrf: string } {
    const id = randomSecret(32);
    const csrf = randomSecret(24);
    const now = this.now();
    this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now);
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(sha256(id), userId, csrf, now, now + ttlMs);
    return { id, csrf };
  }

  getSession(id: string): Session | null {
    const r = this.db
      .prepare('SELECT s.csrf, s.expires_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?')
      .get(sha256(id)) as (UserRow & { csrf: string; expires_at: number }) | undefined;
    if (!r || r.expires_at <= this.now()) return null;
    return { user: toPrincipal(r), csrf: r.csrf, expires_at: r.expires_at };
  }

  deleteSession(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(sha256(id));
  }

  // ------------------------------------------------------------ audit

  audit(user: string, action: string, target: string, detail: string | null = null): void {
    this.db.prepare('INSERT INTO audit_log (at, user, action, target, detail) VALUES (?, ?, ?, ?, ?)').run(this.now(), user, action, target, detail);
  }

  auditLog(limit = 100, offset = 0): { items: AuditEntry[]; total: number } {
    const items = this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?').all(limit, offset) as AuditEntry[];
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number };
    return { items, total: n };
  }
}

function checkPassword(password: string): void {
  if (password.length < 8) throw new InputError('password: at least 8 characters');
  if (password.length > 1024) throw new InputError('password: at most 1024 characters');
}
