// The error codes a client may see, without the CoreError class (so plain modules, e.g. the
// dashboard's wording in lib/issues.ts and its unit tests, need not load bindings/js/core.mjs).
import { CoreErrorCode } from './constants.generated';

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
