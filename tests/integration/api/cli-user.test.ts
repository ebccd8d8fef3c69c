/**
 * `pointwatch user ...` end to end: the real CLI (tsx), the real SQLite file under a temp data_dir,
 * then the created password and token used against the API built on that same file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { InputError } from '../../../src/core/errors.js';
import * as userCmd from '../../../src/cli/user.js';
import { settingsWithDefaults } from '../../../src/config/defaults.js';
import { AuthStore } from '../../../src/api/auth/store.js';
import { databaseFile } from '../../../src/store/sqlite.js';
import { openDatabase } from '../../../src/store/sqlite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pwcli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'user', ...args], {
    cwd: path.resolve(import.meta.dirname, '../../..'),
    input: input ?? '',
    encoding: 'utf8',
    env: (() => {
      const env: NodeJS.ProcessEnv = { ...process.env, POINTWATCH_DATA_DIR: dir };
      delete env.POINTWATCH_CONFIG;
      delete env.POINTWATCH_INVENTORY;
      return env;
    })(),
  });
  return { code: r.status, out: r.stdout, err: r.stderr.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n') };
}

describe('pointwatch user', () => {
  // Spawning the CLI costs seconds each on a loaded machine: three spawns, the rest in-process.
  it('adds users, prints a token once; bad input exits 2 naming the problem', { timeout: 180_000 }, async () => {
    const add = cli(['add', 'lan', '--role', 'operator', '--scope', 'commune:Xã An,commune:Xã Bình', '--password-stdin'], 'first-pass-1\n');
    expect(add).toMatchObject({ code: 0, out: 'added lan (operator: commune:Xã An, commune:Xã Bình)\n' });

    // Bad input, in-process (each spawned CLI costs seconds): InputError (exit 2) naming the problem.
    const cases = [
      { args: ['add', 'x', '--role', 'boss', '--no-password'], msg: '--role: "boss" is not one of admin, operator, trainee, reviewer' },
      { args: ['add', 'x', '--role', 'reviewer', '--no-password'], msg: '--scope: a reviewer needs a scope (group or province)' },
      { args: ['add', 'x', '--role', 'operator', '--scope', 'province:P', '--no-password'], msg: 'a operator may be given commune scopes, not province:P' },
      { args: ['add', 'x', '--role', 'operator', '--scope', 'commune', '--no-password'], msg: '--scope: "commune" is not level:name' },
      { args: ['add', 'lan', '--role', 'admin', '--no-password'], msg: 'user "lan" already exists' },
      { args: ['add', 'bad name', '--role', 'admin', '--no-password'], msg: 'user name "bad name"' },
      { args: ['token', 'nobody'], msg: 'no user "nobody"' },
    ];
    process.env.POINTWATCH_DATA_DIR = dir;
    for (const c of cases) {
      const program = new Command('pointwatch').exitOverride();
      userCmd.register(program);
      const err = await program.parseAsync(['user', ...c.args], { from: 'user' }).then(() => null, (e: unknown) => e);
      expect(err, c.args.join(' ')).toBeInstanceOf(InputError);
      expect((err as Error).message, c.args.join(' ')).toContain(c.msg);
    }
    // and through the real binary: exit code 2, message on stderr
    const short = cli(['passwd', 'lan', '--password-stdin'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.err).toContain('password: at least 8 characters');

    const tok = cli(['token', 'lan', '--label', 'nms']);
    expect(tok.code).toBe(0);
    const token = tok.out.trim();
    expect(token).toMatch(/^pwt_[A-Za-z0-9_-]{40,}$/);
    expect(tok.err).toContain('shown once');
    const written: string[] = [];
    const origWrite = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stdout.write;
    try {
      const program = new Command('pointwatch').exitOverride();
      userCmd.register(program);
      await program.parseAsync(['user', 'list'], { from: 'user' });
    } finally {
      process.stdout.write = origWrite;
    }
    expect(written.join('')).toBe('lan\toperator\tcommune:Xã An,commune:Xã Bình\n');

    // What the CLI wrote is what the server reads: the new password works, the old one does not, the token resolves.
    const db = openDatabase(databaseFile(settingsWithDefaults({ data_dir: dir })));
    try {
      const store = new AuthStore(db);
      expect(await store.checkLogin('lan', 'first-pass-1')).toMatchObject({ name: 'lan', role: 'operator' });
      expect(await store.checkLogin('lan', 'short')).toBeNull(); // the refused passwd changed nothing
      expect(store.userForToken(token)?.name).toBe('lan');
      const raw = JSON.stringify(db.prepare('SELECT * FROM users').all()) + JSON.stringify(db.prepare('SELECT * FROM api_tokens').all());
      expect(raw).not.toContain('first-pass-1');
      expect(raw).not.toContain(token);
      expect(store.auditLog().items[0]).toMatchObject({ user: 'cli', action: 'token.create', detail: 'lan: nms' });
    } finally {
      db.close();
    }
  });
});
