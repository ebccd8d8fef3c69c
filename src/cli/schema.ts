import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Inventory, Settings } from '../config/schema.js';

/** The JSON Schemas editors use to validate the YAML (yaml-language-server), generated from THE TypeBox schema. */
export const SCHEMA_FILES = {
  'config/pointwatch.schema.json': { title: 'pointwatch settings', schema: Settings },
  'config/sites.schema.json': { title: 'pointwatch inventory', schema: Inventory },
} as const;

/** A property with a default may be left out of the file: drop it from `required` for editors. */
function optionalDefaults(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(optionalDefaults);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = optionalDefaults(v);
  const props = out.properties as Record<string, { default?: unknown }> | undefined;
  if (props && Array.isArray(out.required)) {
    out.required = (out.required as string[]).filter((k) => props[k]?.default === undefined);
    if ((out.required as string[]).length === 0) delete out.required;
  }
  return out;
}

export function renderSchema(title: string, schema: object): string {
  const plain = optionalDefaults(JSON.parse(JSON.stringify(schema))) as object;
  return `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title, ...plain }, null, 2)}\n`;
}

export function register(program: Command): void {
  program
    .command('schema')
    .description('Write the JSON Schemas of the settings and inventory files into config/ (for editors)')
    .option('--check', 'exit 1 when the committed files are stale instead of writing')
    .option('--dir <dir>', 'repository root', '.')
    .action((opts: { check?: boolean; dir: string }) => {
      const stale: string[] = [];
      for (const [file, { title, schema }] of Object.entries(SCHEMA_FILES)) {
        const target = path.join(opts.dir, file);
        const text = renderSchema(title, schema);
        if (opts.check) {
          if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) stale.push(file);
        } else {
          fs.writeFileSync(target, text);
          process.stderr.write(`wrote ${target}\n`);
        }
      }
      if (stale.length) {
        process.stderr.write(`stale: ${stale.join(', ')}: run \`npx pointwatch schema\` and commit\n`);
        process.exitCode = 1;
      }
    });
}
