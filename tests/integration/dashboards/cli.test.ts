/** `pointwatch dashboards build [--check]` and `dashboards gazetteer`, as CI and a user run them. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-dash-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, [...CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('pointwatch dashboards', () => {
  it('build writes the JSON; --check passes on it, fails on a stale, a missing and an extra file', () => {
    const out = path.join(dir, 'json');
    expect(cli(['dashboards', 'build', '--out', out]).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['commune-view.json', 'coverage.json', 'province-overview.json', 'site-detail.json']);
    expect(cli(['dashboards', 'build', '--check', '--out', out])).toMatchObject({ code: 0 });

    const file = path.join(out, 'coverage.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"title": "pointwatch · Coverage"', '"title": "edited by hand"'));
    const stale = cli(['dashboards', 'build', '--check', '--out', out]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/stale: .*coverage\.json/);

    fs.rmSync(file);
    fs.writeFileSync(path.join(out, 'old.json'), '{}');
    const missing = cli(['dashboards', 'build', '--check', '--out', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing: .*coverage\.json/);
    expect(missing.stderr).toMatch(/extra: .*old\.json/);
  });

  it('the committed dashboards/json is up to date (what CI runs)', () => {
    const r = cli(['dashboards', 'build', '--check']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('gazetteer writes the sites with coordinates', () => {
    const out = path.join(dir, 'gaz.json');
    const r = cli(['dashboards', 'gazetteer', '--config', 'config/pointwatch.example.yaml', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const g = JSON.parse(fs.readFileSync(out, 'utf8')) as Array<{ key: string; latitude: number; longitude: number }>;
    expect(g.length).toBeGreaterThan(10);
    expect(g[0]).toEqual({ key: 'pop-bat-xat', name: 'Trạm VNPT Bát Xát', latitude: 22.538, longitude: 103.887 });
  });
});
