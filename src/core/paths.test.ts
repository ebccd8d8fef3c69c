import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from './paths.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-paths-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
fs.writeFileSync(path.join(tmp, 'package.json'), '{}');
for (const d of ['src/cli', 'dist/src/cli']) fs.mkdirSync(path.join(tmp, d), { recursive: true });

describe('packageRoot', () => {
  it.each([
    { name: 'from a source module', file: 'src/cli/dashboards.ts' },
    { name: 'from its compiled twin under dist/', file: 'dist/src/cli/dashboards.js' },
  ])('$name', ({ file }) => {
    expect(packageRoot(pathToFileURL(path.join(tmp, file)).href)).toBe(tmp);
  });
  it('this repository, by default', () => {
    expect(fs.existsSync(path.join(packageRoot(), 'src/core/paths.ts'))).toBe(true);
  });
  it('no package.json anywhere above: says so', () => {
    expect(() => packageRoot('file:///nowhere/x.js')).toThrow(/no package.json above/);
  });
});
