/**
 * THE error shape of the API (documented in OpenAPI as `Error`):
 *   { "error": { "code": "not_found", "message": "site x not found", "field": "id" } }
 * `field` names the offending parameter when there is one.
 */
import { Type, type Static } from '@sinclair/typebox';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine code: bad_request, unauthorized, forbidden, not_found, conflict, payload_too_large, rate_limited, unavailable, internal' }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'the parameter at fault, when there is one' })),
    }),
  },
  { $id: 'Error', description: 'Every error answer has this shape.' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export const badRequest = (message: string, field?: string) => new ApiError(400, 'bad_request', message, field);
export const unauthorized = () => new ApiError(401, 'unauthorized', 'authentication required or invalid credentials');
export const forbidden = (message = 'your role does not allow this') => new ApiError(403, 'forbidden', message);
export const notFound = (what: string, field?: string) => new ApiError(404, 'not_found', `${what} not found`, field);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
export const unavailable = (message: string) => new ApiError(503, 'unavailable', message);
