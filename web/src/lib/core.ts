// The dashboard's one door to the data: the typed client of web/src/core (the wasm core in a Web
// Worker over OPFS/IndexedDB). Loaded only in the browser, once per page (the promise is cached:
// StrictMode runs effects twice), never during prerendering. Operation names, params and results
// are the generated ones (web/src/core/types.generated.ts): a mistyped name fails `tsc`.
import type { Actor, CallArgs, Core, OperationName, ParamsOf, ResultOf, SystemActor } from '@/core/client';
import type { Issue } from '@/core/types.generated';
import { conflictIssue, errorHeadline, issueField } from './issues';
import { ErrorCode } from '@/core/error_codes';

export type { Actor, CallArgs, Core, OperationName, ParamsOf, ResultOf, SystemActor };

export function systemActor(organizationId?: string | null): SystemActor {
  return organizationId ? { system: true, organizationId } : { system: true };
}

/** Progress of a long operation (mock.seed, imports). */
export type ProgressEvent = Parameters<Parameters<Core['onProgress']>[0]>[0];

/** Params of an operation: optional when it has no required parameter. */
export type ParamsArg<K extends OperationName> = {} extends ParamsOf<K> ? [params?: ParamsOf<K>] : [params: ParamsOf<K>];

/** Error shape of the client's CoreError (code, message, issues). */
export interface CoreErrorLike {
  code: string;
  message: string;
  path?: (string | number)[];
  params?: Record<string, unknown>;
  issues?: Issue[];
}

export function isCoreError(e: unknown): e is CoreErrorLike {
  return !!e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { message?: unknown }).message === 'string';
}

/** A start-up timeline mark ("ec:<name>", User Timing; web/e2e/perf.spec.ts prints them). */
export function markTimeline(name: string): void {
  try {
    performance.mark(`ec:${name}`);
  } catch {
    /* no User Timing */
  }
}

/** Typed call as `as` (or the client's current actor). */
export function callOp<K extends OperationName>(core: Core, op: K, params: ParamsOf<K> | undefined, as?: Actor | SystemActor | null): Promise<ResultOf<K>> {
  // CallArgs<K> is a conditional type TypeScript cannot narrow for a generic K; the public
  // signature above is the checked one.
  const args = [params ?? {}, as ? { as } : undefined] as unknown as CallArgs<K>;
  return core.call(op, ...args);
}

/** Words for an error, for people (worded in lib/issues.ts from the core's code and params). */
export function errorText(e: unknown): string {
  if (isCoreError(e)) return errorHeadline(e);
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Issues of a CoreError, or none. */
export function errorIssues(e: unknown): Issue[] {
  if (!isCoreError(e)) return [];
  const issues = Array.isArray(e.issues) ? e.issues : [];
  if (issues.length) return issues;
  // A unique conflict lands on its field.
  const c = conflictIssue(e);
  return c ? [c] : [];
}

/**
 * Which form field an issue concerns: its path without the wrapper keys
 * (["patch","cadenceConfig","time"] and ["cadence","time"] both give "time").
 */
export function fieldOfIssue(issue: Pick<Issue, 'path'>): string {
  return issueField(issue.path);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An id as the core writes it (lower-case 8-4-4-4-12 hex); anything else in a URL is "not found". */
export function isUuid(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}

/** The error a page shows for an id that cannot exist (malformed, upper-case). */
export function notFoundError(): CoreErrorLike {
  return { code: ErrorCode.notFound, message: 'not found', path: ['id'], issues: [] };
}

/**
 * True when a read failed because the row is not there for this organization: not_found, or the
 * core refusing the id itself (a malformed id in the URL) — both mean "not found" to a visitor,
 * and retrying can never help.
 */
export function isNotFound(e: unknown): boolean {
  if (!isCoreError(e)) return false;
  if (e.code === ErrorCode.notFound) return true;
  if (e.code !== ErrorCode.invalid && e.code !== ErrorCode.badRequest) return false;
  const issues = e.issues ?? [];
  const onId = (path: (string | number)[] | undefined) => !!path && path.length > 0 && /^(id|.*Id)$/.test(String(path[path.length - 1]));
  return issues.length > 0 ? issues.every((i) => onId(i.path)) : onId(e.path);
}
