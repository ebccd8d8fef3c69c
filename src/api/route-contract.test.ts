import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { isConcreteSchema, responseContractProblem, responseContractProblems } from './route-contract.js';

describe('isConcreteSchema', () => {
  it.each([
    { name: 'Type.Unknown()', schema: Type.Unknown(), concrete: false },
    { name: 'Type.Any()', schema: Type.Any(), concrete: false },
    { name: 'empty object literal', schema: {}, concrete: false },
    { name: 'open object with no properties', schema: Type.Object({}), concrete: false },
    { name: 'undefined', schema: undefined, concrete: false },
    { name: 'object with properties', schema: Type.Object({ a: Type.String() }), concrete: true },
    { name: 'record', schema: Type.Record(Type.String(), Type.Number()), concrete: true },
    { name: 'null (a 204)', schema: Type.Null(), concrete: true },
    { name: 'union', schema: Type.Union([Type.String(), Type.Null()]), concrete: true },
    { name: 'array', schema: Type.Array(Type.String()), concrete: true },
  ])('$name → $concrete', ({ schema, concrete }) => {
    expect(isConcreteSchema(schema)).toBe(concrete);
  });
});

describe('responseContractProblem', () => {
  const route = (response: Record<string, unknown> | undefined) => ({ method: 'GET', url: '/x', schema: response ? { response } : {} });
  it.each([
    { name: 'no schema at all', r: { method: 'GET', url: '/x' }, problem: 'GET /x: no response schema' },
    { name: 'no response', r: route(undefined), problem: 'GET /x: no response schema' },
    { name: 'only errors', r: route({ 404: Type.Object({ e: Type.String() }) }), problem: 'GET /x: no 2xx response schema' },
    { name: '200 unknown', r: route({ 200: Type.Unknown() }), problem: 'GET /x: 200 response schema is empty or unknown' },
    { name: '201 empty', r: route({ 201: {} }), problem: 'GET /x: 201 response schema is empty or unknown' },
    { name: 'json content unknown', r: route({ 200: { content: { 'application/json': { schema: Type.Unknown() } } } }), problem: 'GET /x: 200 application/json has no schema' },
    { name: 'html content without schema', r: route({ 200: { content: { 'text/html': {} } } }), problem: 'GET /x: 200 text/html has no schema' },
    { name: 'a typed 200', r: route({ 200: Type.Object({ a: Type.String() }) }), problem: null },
    { name: 'a 204', r: route({ 204: Type.Null() }), problem: null },
    { name: 'a 2xx range', r: route({ '2xx': Type.Object({ a: Type.String() }) }), problem: null },
    { name: 'an html page', r: route({ 200: { content: { 'text/html': { schema: Type.String() } } } }), problem: null },
  ])('$name', ({ r, problem }) => {
    expect(responseContractProblem(r)).toBe(problem);
  });

  it('a table: HEAD twins and swagger-ui routes are left out, every other problem is listed', () => {
    expect(
      responseContractProblems([
        { method: 'HEAD', url: '/a' },
        { method: 'GET', url: '/docs/json' },
        { method: 'GET', url: '/docs' },
        { method: 'GET', url: '/docsy' },
        { method: ['GET', 'POST'], url: '/b', schema: { response: { 200: Type.Unknown() } } },
      ]),
    ).toEqual(['GET /docsy: no response schema', 'GET,POST /b: 200 response schema is empty or unknown']);
  });
});
