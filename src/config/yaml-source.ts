/**
 * A YAML file kept with its positions, so every problem can say `file:line:col`.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isAlias, visit, type Document, type Node } from 'yaml';
import { formatPath } from './validate.js';

export interface YamlSource {
  file: string;
  doc: Document;
  lines: LineCounter;
  /** Syntax errors, already formatted. */
  syntaxProblems: string[];
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, merge: true });
  const syntaxProblems = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    const msg = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return `${file}:${pos?.line ?? 1}:${pos?.col ?? 1}: ${msg}`;
  });
  return { file, doc, lines, syntaxProblems };
}

/**
 * How many node copies aliases may expand to. The yaml package's default (100) refuses an ordinary
 * inventory whose 5,000 sites share one `<<: *defaults`; a million still stops a "billion laughs".
 */
const MAX_ALIAS_EXPANSION = 1_000_000;

/**
 * The document as plain values, or a positioned problem. `toJS()` throws where the YAML is well
 * formed but cannot become a value: an alias whose anchor comes later or never (`*x`), or an alias
 * expanded too often (a "billion laughs" file).
 */
export function toPlain(src: YamlSource): { value: unknown } | { problem: string } {
  try {
    return { value: src.doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) };
  } catch (err) {
    let offset = 0;
    visit(src.doc, {
      Alias(_key, node) {
        if (isAlias(node) && node.resolve(src.doc) === undefined) { offset = node.range?.[0] ?? 0; return visit.BREAK; }
        return undefined;
      },
    });
    const { line, col } = src.lines.linePos(offset);
    const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    return { problem: `${src.file}:${line}:${col}: ${msg}` };
  }
}

/**
 * Position of the node at `path`, or of the closest existing ancestor. When `preferKey` is set and
 * the last segment is a map key, points at the key itself (for "unknown field").
 */
export function positionOf(src: YamlSource, path: Array<string | number>, preferKey = false): { line: number; col: number } {
  let node: unknown = src.doc.contents;
  let best: Node | null = (src.doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      if (preferKey && i === path.length - 1 && isScalar(pair.key)) { best = pair.key; break; }
      node = pair.value;
      if (node && (node as Node).range) best = node as Node;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) break;
      if ((node as Node).range) best = node as Node;
    } else break;
  }
  const offset = best?.range?.[0] ?? 0;
  return src.lines.linePos(offset);
}

export function formatProblem(src: YamlSource, path: Array<string | number>, message: string, preferKey = false): string {
  const { line, col } = positionOf(src, path, preferKey);
  return `${src.file}:${line}:${col}: ${formatPath(path)}: ${message}`;
}
