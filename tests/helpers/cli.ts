import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Node arguments that run the CLI from its sources through tsx, as development does: tests see the
 * code as it is now, never a stale dist/. Production runs bin/pointwatch.js → dist/ (build.test.ts
 * checks that path). tsx is given by file URL so it resolves from any working directory.
 */
export const CLI = ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, path.join(ROOT, 'src/cli/main.ts')];

/** Run the real CLI (`pointwatch ...`) as a user would, from the sources. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
