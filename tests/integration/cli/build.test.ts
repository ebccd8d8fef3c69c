/**
 * The production build: `tsconfig.build.json` compiled into a temporary folder laid out like the
 * Docker image (dist/, bin/, config/, dashboards/json/, node_modules; no src/, no TypeScript), then
 * the CLI run from there the way production starts it: bin/pointwatch.js through its shebang, and
 * `node dist/src/cli/main.js`. Proves nothing reads a .ts path or needs tsx at run time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';

let app: string;

beforeAll(() => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-build-'));
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(app, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  fs.cpSync(path.join(ROOT, 'bin'), path.join(app, 'bin'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'config'), path.join(app, 'config'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'dashboards/json'), path.join(app, 'dashboards/json'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(app, 'node_modules'));
}, 240_000);
afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

/** As the Docker image and `npx pointwatch` start it: the executable, through its shebang. */
const bin = (...args: string[]) => spawnSync(path.join(app, 'bin/pointwatch.js'), args, { cwd: app, encoding: 'utf8', timeout: 60_000, env: { ...process.env, POINTWATCH_CONFIG: '', POINTWATCH_INVENTORY: '' } });

describe('the compiled CLI', () => {
  it('the build holds JavaScript only, and nothing in it loads tsx or a .ts file', () => {
    const files = fs.readdirSync(path.join(app, 'dist'), { recursive: true }).map(String);
    expect(files).toContain(path.join('src', 'cli', 'main.js'));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files.filter((f) => /\.test\.js$/.test(f)), 'tests are not built').toEqual([]);
    const code = (f: string) => fs.readFileSync(path.join(app, 'dist', f), 'utf8').split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n');
    const loadsSource = files.filter((f) => f.endsWith('.js') && /from ['"]tsx|import\(['"][^'"]+\.ts['"]\)|['"][^'"]+\.ts['"]\)/.test(code(f)));
    expect(loadsSource).toEqual([]);
  });

  it('--help lists the commands, from bin/pointwatch.js and from dist directly', () => {
    const r = bin('--help');
    expect(r.status, r.stderr).toBe(0);
    for (const cmd of ['check-config', 'run', 'demo', 'poll', 'report', 'dashboards']) expect(r.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    const direct = spawnSync(process.execPath, [path.join(app, 'dist/src/cli/main.js'), '--help'], { cwd: app, encoding: 'utf8' });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout).toBe(r.stdout);
  });

  it('check-config passes on the example configuration, inventory and runbooks', () => {
    const r = bin('check-config', '--config', 'config/pointwatch.example.yaml');
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^ok: .*config\/pointwatch\.example\.yaml$/m);
    expect(r.stdout).toMatch(/^ok: .*sites\.example\.yaml: \d+ sites/m);
    expect(r.stdout).toMatch(/^ok: .*config\/runbooks: runbooks for every alert kind/m);
  });

  it('check-config still reports a bad file with exit code 2', () => {
    fs.writeFileSync(path.join(app, 'bad.yaml'), 'poller:\n  colour: red\n');
    const r = bin('check-config', '--config', 'bad.yaml');
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/bad\.yaml:2:\d+: .*colour/);
  });

  it('finds the package\'s own files from dist/: the dashboards and the JSON Schemas are current', () => {
    const d = bin('dashboards', 'build', '--check');
    expect(d.status, d.stderr + d.stdout).toBe(0);
    const s = bin('schema', '--check');
    expect(s.status, s.stderr + s.stdout).toBe(0);
  });

  it('without a build it says what to run', () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-nobuild-'));
    fs.cpSync(path.join(ROOT, 'bin'), path.join(bare, 'bin'), { recursive: true });
    const r = spawnSync(path.join(bare, 'bin/pointwatch.js'), ['--help'], { encoding: 'utf8' });
    fs.rmSync(bare, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('npm run build');
  });
});
