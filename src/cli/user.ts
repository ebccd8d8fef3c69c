/**
 * `pointwatch user add|passwd|token|list`: manage the people and systems that use the web UI and
 * the API. Users live in the operational SQLite database (<data_dir>/pointwatch.sqlite, the file `pointwatch run` opens).
 *
 *   pointwatch user add lan --role operator --scope "commune:Xã An" --password-stdin < pw.txt
 *   pointwatch user add province --role reviewer --scope "province:Tỉnh Thử"
 *   pointwatch user passwd lan
 *   pointwatch user token nms --label grafana     # prints the token ONCE
 */
import readline from 'node:readline';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { openDatabase } from '../store/sqlite.js';
import { AuthStore } from '../api/auth/store.js';
import { ROLES, parseScope, type Role } from '../api/auth/scope.js';
import { databaseFile } from '../store/sqlite.js';
import { withConfigOptions, loadFromCli, type ConfigOptions } from './options.js';

/** The first line of stdin (the password), without its line ending. */
async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** Ask on the terminal without echoing what is typed. */
function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
    let asked = false;
    out._writeToOutput = (s: string) => {
      if (!asked) process.stderr.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    asked = true;
  });
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdinLine();
  if (!process.stdin.isTTY) throw new InputError('no terminal to ask the password on: pass --password-stdin and pipe it in');
  const a = await askHidden('New password: ');
  const b = await askHidden('Again: ');
  if (a !== b) throw new InputError('the two passwords differ');
  return a;
}

async function withStore<T>(opts: ConfigOptions, fn: (store: AuthStore) => Promise<T>): Promise<T> {
  const { settings } = await loadFromCli(opts);
  const db = openDatabase(databaseFile(settings));
  try {
    return await fn(new AuthStore(db));
  } finally {
    db.close();
  }
}

export function register(program: Command): void {
  const user = program.command('user').description('Manage users (web UI and API) and their API tokens.');

  withConfigOptions(
    user
      .command('add <name>')
      .description('Add a user. Roles: admin (all); operator (its communes: sees and acts); trainee (its communes: sees, acknowledges, works runbooks); reviewer (read-only, a group or province). A commune or group may be written Province/Name where names repeat.')
      .requiredOption('--role <role>', ROLES.join(' | '))
      .option('--scope <list>', 'comma-separated level:name, e.g. "commune:Xã An,commune:Xã Bình" or "province:Tỉnh Thử"')
      .option('--password-stdin', 'read the password from the first line of stdin')
      .option('--no-password', 'no password: the user can only use API tokens'),
  ).action(async (name: string, opts: ConfigOptions & { role: string; scope?: string; passwordStdin?: boolean; password: boolean }) => {
    if (!(ROLES as readonly string[]).includes(opts.role)) throw new InputError(`--role: "${opts.role}" is not one of ${ROLES.join(', ')}`);
    const role = opts.role as Role;
    const scope = parseScope(opts.scope, role);
    const password = opts.password ? await readPassword(!!opts.passwordStdin) : null;
    await withStore(opts, async (store) => {
      const u = await store.addUser(name, role, scope, password);
      process.stdout.write(`added ${u.name} (${u.role}${u.scope.length ? `: ${u.scope.map((s) => `${s.level}:${s.name}`).join(', ')}` : ''})\n`);
    });
  });

  withConfigOptions(
    user.command('passwd <name>').description('Set a user\'s password (ends the user\'s open sessions).').option('--password-stdin', 'read the password from the first line of stdin'),
  ).action(async (name: string, opts: ConfigOptions & { passwordStdin?: boolean }) => {
    const password = await readPassword(!!opts.passwordStdin);
    await withStore(opts, async (store) => {
      await store.setPassword(name, password);
      process.stdout.write(`password changed for ${name}\n`);
    });
  });

  withConfigOptions(
    user.command('token <name>').description('Create an API token for a user and print it ONCE (only its hash is stored).').option('--label <label>', 'what the token is for', 'cli'),
  ).action(async (name: string, opts: ConfigOptions & { label: string }) => {
    await withStore(opts, async (store) => {
      const u = store.findUser(name);
      if (!u) throw new InputError(`no user "${name}"`);
      const t = store.createToken(u.id, opts.label);
      store.audit('cli', 'token.create', `token:${t.id}`, `${name}: ${opts.label}`);
      process.stdout.write(`${t.token}\n`);
      process.stderr.write(`token ${t.id} for ${name} (${opts.label}): shown once, store it now. Use: Authorization: Bearer <token>\n`);
    });
  });

  withConfigOptions(user.command('list').description('List users, roles and scopes (never passwords or tokens).')).action(async (opts: ConfigOptions) => {
    await withStore(opts, async (store) => {
      for (const u of store.listUsers()) {
        process.stdout.write(`${u.name}\t${u.role}\t${u.scope.map((s) => `${s.level}:${s.name}`).join(',') || '*'}\n`);
      }
    });
  });
}
