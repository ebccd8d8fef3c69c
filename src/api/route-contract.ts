/**
 * Every route declares what it answers: a JSON schema for a 2xx that is not empty or `unknown`
 * (fastify serializes through it, so an undeclared field never leaks), or, for a page or a text
 * endpoint, the content type it answers with. Pure: checked on the routes fastify's onRoute saw.
 */
import { Type } from '@sinclair/typebox';

/** The answer of a server-rendered page: `schema: { hide: true, response: HTML_PAGE }`. */
export const HTML_PAGE = { 200: { content: { 'text/html': { schema: Type.String() } } } };

export interface RouteLike {
  method: string | string[];
  url: string;
  schema?: { response?: unknown } | undefined;
}

/** Routes registered by plugins we do not own (swagger-ui). */
const EXTERNAL_PREFIXES = ['/docs'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Does this JSON schema say something? `{}`, Type.Unknown(), Type.Any() and an open empty object do not. */
export function isConcreteSchema(s: unknown): boolean {
  if (!isObject(s)) return false;
  if (['anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const'].some((k) => k in s)) return true;
  if (s.type === undefined) return false;
  if (s.type === 'object') {
    const props = isObject(s.properties) ? Object.keys(s.properties).length : 0;
    return props > 0 || isObject(s.patternProperties) || isObject(s.additionalProperties);
  }
  return true;
}

/** Why a route's answer is not declared, or null when it is. */
export function responseContractProblem(route: RouteLike): string | null {
  const name = `${[route.method].flat().join(',')} ${route.url}`;
  const responses = route.schema?.response;
  if (!isObject(responses)) return `${name}: no response schema`;
  const ok = Object.entries(responses).filter(([code]) => /^2(\d\d|xx)$/.test(code));
  if (ok.length === 0) return `${name}: no 2xx response schema`;
  for (const [code, decl] of ok) {
    if (isObject(decl) && isObject(decl.content)) {
      for (const [type, media] of Object.entries(decl.content)) {
        const schema = isObject(media) ? media.schema : undefined;
        if (/json/.test(type) ? !isConcreteSchema(schema) : !isObject(schema)) return `${name}: ${code} ${type} has no schema`;
      }
    } else if (!isConcreteSchema(decl)) {
      return `${name}: ${code} response schema is empty or unknown`;
    }
  }
  return null;
}

/** Every problem over a route table (HEAD twins and external plugins' routes left out). */
export function responseContractProblems(routes: readonly RouteLike[]): string[] {
  return routes
    .filter((r) => ![r.method].flat().every((m) => m === 'HEAD') && !EXTERNAL_PREFIXES.some((p) => r.url === p || r.url.startsWith(`${p}/`)))
    .map(responseContractProblem)
    .filter((p): p is string => p !== null);
}
