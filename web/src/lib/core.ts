// The dashboard's one door to the data: the typed client of web/src/core (the wasm core in a Web
// Worker over OPFS/IndexedDB). Loaded only in the browser, once per page (the promise is cached:
// StrictMode runs effects twice), never during prerendering.
import type { OpName, ParamsOf, ResultOf } from './ops';
import type { Issue } from '@/core/types.generated';
import { conflictIssue, errorHeadline, issueField } from './issues';
import { ErrorCode } from '@/core/errors';

export interface Actor {
  organizationId: string;
  userId: string;
}

/**
 * The system principal (the worker and the offline demo: clock, queue, actor picker, seed).
 * Users may not run those operations (docs/adr/0010-authorization.md).
 */
export interface SystemActor {
  system: true;
  organizationId?: string;
}

export function systemActor(organizationId?: string | null): SystemActor {
  return organizationId ? { system: true, organizationId } : { system: true };
}

export interface ProgressEvent {
  done: number;
  total: number;
  phase?: string;
  op?: string;
}

/** What the dashboard needs of the client (a subset of web/src/core/client.ts). */
export interface CoreClient {
  readonly status: 'ready' | 'broken' | 'closed';
  readonly openError: CoreErrorLike | null;
  readonly storage: string;
  setActor(actor: Actor | null): void;
  call(op: string, params?: unknown, options?: { as?: Actor | SystemActor; now?: string }): Promise<unknown>;
  onProgress(cb: (p: ProgressEvent) => void): () => void;
  exportDatabase(): Promise<Uint8Array>;
  importDatabase(bytes: Uint8Array): Promise<unknown>;
  /** Empties the database and seeds it (the demo size; a client may accept {size, seed}). */
  resetToDemo(options?: { size?: string; seed?: number }): Promise<{ seeded: boolean; seed: unknown }>;
  close(): Promise<void>;
}

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

let corePromise: Promise<CoreClient> | null = null;

/** Opens the core once per page; later calls get the same promise. */
export function loadCore(): Promise<CoreClient> {
  if (typeof window === 'undefined') return Promise.reject(new Error('the core runs only in the browser'));
  if (!corePromise) {
    corePromise = (async () => {
      const mod = await import('@/core/client');
      // The build script copies the web build of the core to public/core/.
      const core = (await mod.openCore({ moduleUrl: '/core/episodes_core_web.js' })) as unknown as CoreClient;
      return core;
    })();
    corePromise.catch(() => {
      corePromise = null;
    });
  }
  return corePromise;
}

/** Typed call: params and result from the generated operation types. */
export function callOp<K extends OpName>(core: CoreClient, op: K, params?: ParamsOf<K & string>, as?: Actor | SystemActor | null): Promise<ResultOf<K & string>> {
  return core.call(op, params ?? {}, as ? { as } : undefined) as Promise<ResultOf<K & string>>;
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
