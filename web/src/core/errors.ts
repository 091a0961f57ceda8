// The client's errors: the ONE CoreError class of bindings/js/core.mjs, re-exported, plus the
// helpers that turn anything thrown (or error data received from the worker) into it.
import { CoreError, errorFrom } from '../../../bindings/js/core.mjs';
import type { CoreErrorData, CoreIssue } from '../../../bindings/js/core.mjs';
import { CoreErrorCode } from './constants.generated';

export { CoreError };
export type { CoreErrorData, CoreIssue };

/**
 * Error codes a client may see: the core's codes (core/error_codes.hpp, generated into
 * constants.generated.ts) plus those of the client and its storage. `code` is the stable part
 * of a CoreError; `message` is for people.
 */
export const ErrorCode = {
  ...CoreErrorCode,
  /** The database is open in another tab (Web Locks). */
  locked: 'locked',
  /** The stored database could not be opened; only export of the raw bytes, import and reset work. */
  unavailable: 'unavailable',
  /** The requested storage does not exist in this environment. */
  unsupported: 'unsupported',
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Builds a CoreError from error data ({code, message, path, issues}). */
export function coreError(data: CoreErrorData, cause?: unknown): CoreError {
  return errorFrom(data, cause);
}

/** Any thrown value -> CoreError (a CoreError passes through unchanged). */
export function toCoreError(e: unknown, fallbackCode: string = ErrorCode.internal): CoreError {
  if (e instanceof CoreError) return e;
  if (e && typeof e === 'object' && typeof (e as CoreErrorData).code === 'string' &&
      typeof (e as CoreErrorData).message === 'string' && !(e instanceof Error)) {
    return errorFrom(e);  // plain error data (from postMessage)
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : typeof e === 'number'
    ? `unexpected numeric exception ${e}` : String(e);
  return errorFrom({ code: fallbackCode, message }, e);
}

/** CoreError -> plain data that survives postMessage/JSON. */
export function errorData(e: unknown): Required<CoreErrorData> {
  const c = toCoreError(e);
  return { code: c.code, message: c.message, path: c.path, issues: c.issues, params: c.params, retryable: c.retryable };
}
