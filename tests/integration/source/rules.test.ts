/**
 * Rules the source keeps (issue 20), checked on the files as they are: no source file over 500
 * lines, and nothing in src reaching into a dependency's private fields or patching a prototype
 * (the hacks this project removed: net-snmp's session fields, asn1-ber's Reader/Writer prototypes,
 * node-influx's `_pool`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const sources = (fs.readdirSync(path.join(ROOT, 'src'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('testdata'))
  .map((f) => ({ file: `src/${f}`, text: fs.readFileSync(path.join(ROOT, 'src', f), 'utf8') }));

describe('source rules', () => {
  it('reads the tree (a guard: the rules below would pass on nothing)', () => {
    expect(sources.length).toBeGreaterThan(150);
    expect(sources.some((s) => s.file === 'src/alerting/engine.ts')).toBe(true);
  });

  it('no source file over 500 lines', () => {
    const long = sources.map((s) => ({ file: s.file, lines: s.text.split('\n').length - (s.text.endsWith('\n') ? 1 : 0) })).filter((s) => s.lines > 500);
    expect(long).toEqual([]);
  });

  it('no prototype patched, no private field of a dependency written or read', () => {
    const patterns: Array<[string, RegExp]> = [
      ['a prototype patched', /\.prototype\.[A-Za-z_$][\w$]*\s*=(?!=)/],
      ['Object.defineProperty on a prototype', /defineProperty\([^,]*\.prototype/],
      ["node-influx's private pool", /\._pool\b/],
      ["net-snmp session internals", /\.(reqs|dgram)\b\s*[=.[]/],
    ];
    const found = sources.flatMap((s) => patterns.filter(([, re]) => re.test(s.text)).map(([what]) => `${s.file}: ${what}`));
    expect(found).toEqual([]);
  });
});
