// The client's errors: the ONE CoreError class of bindings/js/core.mjs, re-exported, plus the
// helpers that turn anything thrown (or error data received from the worker) into it.
import { CoreError, errorFrom } from '../../../bindings/js/core.mjs';
import type { CoreErrorData, CoreIssue } from '../../../bindings/js/core.mjs';
import { ErrorCode } from './error_codes';

export { CoreError };
export type { CoreErrorData, CoreIssue };

export { ErrorCode, type ErrorCodeValue } from './error_codes';

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
