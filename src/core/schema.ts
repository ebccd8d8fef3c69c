/**
 * Small TypeBox helpers shared by the modules that declare the shapes they produce (incidents,
 * maintenance, runbooks, the API): one way to say "one of these strings" and "or null".
 */
import { Type, type TSchema, type TUnsafe, type TUnion, type TNull, type SchemaOptions } from '@sinclair/typebox';

/** A string from a fixed list, as a plain `enum` (OpenAPI 3.0 has no `const`). */
export const StringEnum = <T extends readonly string[]>(values: T, opts: SchemaOptions = {}): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });

/** `T | null`. */
export const Nullable = <T extends TSchema>(schema: T): TUnion<[T, TNull]> => Type.Union([schema, Type.Null()]);
