// The core's errors in plain words, in ONE place. The core reports what went wrong as data:
// an error code, and for validation a list of issues {path, code, params, message}. Its
// `message` names internal fields ("dailyCostLimitMicros must be at most 1000000000000"), so the
// dashboard words issues itself from `code`, `params` and the field the path names, and falls
// back to the core's message only for codes it does not know.
import type { Issue } from '@/core/types.generated';
import { formatGBP } from './money';
import { ErrorCode } from '@/core/error_codes';

/** What people call each field the core may name in an issue path. */
const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  description: 'Description',
  slug: 'Slug',
  plan: 'Plan',
  status: 'Status',
  email: 'Email',
  ownerName: 'Owner’s name',
  ownerEmail: 'Owner’s email',
  ownerTimezone: 'Owner’s timezone',
  timezone: 'Timezone',
  time: 'Time',
  days: 'Days',
  pausedUntil: 'Pause until',
  skipDates: 'Skip dates',
  cadenceConfig: 'Cadence',
  cadence: 'Cadence',
  dailyCostLimitMicros: 'Daily limit',
  content: 'Text',
  note: 'Note',
  quote: 'Quote',
  title: 'Title',
  role: 'Role',
  id: 'Id',
  now: 'Time',
  memories: 'Memories',
};

const WRAPPERS = new Set(['patch', 'params', 'cadence', 'cadenceConfig']);

/** The field an issue is about (path without wrapper keys and indexes). */
export function issueField(path: readonly (string | number)[] | undefined): string {
  const names = (path ?? []).filter((p): p is string => typeof p === 'string');
  const rest = names.filter((p) => !WRAPPERS.has(p));
  return rest[0] ?? names[names.length - 1] ?? '';
}

/** "ownerEmail" -> "Owner’s email"; unknown camelCase names become words ("maxAttempts" -> "Max attempts"). */
export function fieldLabel(field: string): string {
  if (FIELD_LABELS[field]) return FIELD_LABELS[field];
  if (!field) return 'This value';
  const words = field.replace(/Micros$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const isMoney = (field: string) => /Micros$/.test(field);
const n = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-GB') : String(v));
const money = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) ? formatGBP(v, { decimals: v % 10_000 === 0 ? (v % 1_000_000 === 0 ? 0 : 2) : 'exact' }) : String(v));

/** One issue in plain words: "Name is required", "Daily limit must be at most £1,000,000". */
export function issueText(issue: Pick<Issue, 'path' | 'code' | 'message'> & { params?: Record<string, unknown> }, labelOverride?: string): string {
  const field = issueField(issue.path);
  const label = labelOverride ?? fieldLabel(field);
  const p = issue.params ?? {};
  const amount = (v: unknown) => (isMoney(field) ? money(v) : n(v));
  switch (issue.code) {
    case 'required':
      return `${label} is required`;
    case 'too_short':
      return typeof p.minimum === 'number' && p.minimum > 1 ? `${label} needs at least ${n(p.minimum)} characters` : `${label} is required`;
    case 'blank':
      return `${label} cannot be only spaces`;
    case 'too_long':
      return typeof p.maximum === 'number'
        ? `${label} is too long: at most ${n(p.maximum)} characters${typeof p.length === 'number' ? ` (now ${n(p.length)})` : ''}`
        : `${label} is too long`;
    case 'too_small':
      if (field === 'days') return typeof p.minimum === 'number' && p.minimum > 1 ? `Choose at least ${n(p.minimum)} days` : 'Choose at least one day';
      return typeof p.minimum === 'number' ? `${label} must be at least ${amount(p.minimum)}` : `${label} is too small`;
    case 'too_big':
      return typeof p.maximum === 'number' ? `${label} must be at most ${amount(p.maximum)}` : `${label} is too large`;
    case 'invalid_type':
      return `${label} has the wrong kind of value`;
    case 'invalid_enum':
      return Array.isArray(p.allowed) ? `${label} must be one of: ${p.allowed.join(', ')}` : `${label} is not one of the choices`;
    case 'invalid_format':
      if (p.format === 'uuid') return `${label} is not a valid id`;
      if (p.format === 'date-time') return `${label}: enter a date and time`;
      if (p.format === 'email' || /email/i.test(field)) return `${label}: enter an email address such as ana@example.com`;
      if (/single line/.test(issue.message)) return `${label} must fit on one line`;
      if (field === 'slug') return `${label} may use lower-case letters, digits and hyphens only`;
      break;
    case 'invalid_timezone':
      return `${label}: unknown time zone; pick one from the list (e.g. Europe/London)`;
    case 'invalid_time':
      return `${label}: enter a 24-hour time such as 09:30`;
    case 'invalid_date':
      return `${label}: enter a date as YYYY-MM-DD`;
    case 'invalid_range':
      return `${label} is out of range`;
    case 'duplicate':
      return `${label} lists the same value twice`;
    case 'read_only':
      return `${label} cannot be changed here`;
    case 'unknown_field':
      return `${label} is not a field this form can set`;
    case 'conflict':
    case 'unique':
      return p.deleted ? `${label} is already used by a deleted item (restore it, or choose another)` : `${label} is already taken`;
    case 'plan_limit':
      return typeof p.limit === 'number' ? `The ${p.plan ?? ''} plan runs up to ${n(p.limit)} projects at once`.replace('The  plan', 'The plan') : 'The plan’s project limit is reached';
    case 'forbidden':
      return `You may not change ${label.toLowerCase()} as this user`;
  }
  return humanize(issue.message, field, label);
}

/** The core's message with internal field names replaced by their labels, as a fallback. */
function humanize(message: string, field: string, label: string): string {
  let m = message.trim();
  if (field && m.startsWith(field + ' ')) m = label + m.slice(field.length);
  m = m.replace(/\b([a-z]+(?:[A-Z][a-z]+)+)\b/g, (w) => fieldLabel(w).toLowerCase());
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/** Turns a unique-constraint conflict into an issue on its field, whatever shape the core gave it:
 *  {code: conflict, path: [field], params: {field, deleted?}} or, from older cores, the SQLite
 *  text "UNIQUE constraint failed: table.column". */
export function conflictIssue(e: { code: string; message: string; path?: (string | number)[]; params?: Record<string, unknown> }): Issue | null {
  if (e.code !== ErrorCode.conflict) return null;
  const params = e.params ?? {};
  let field = typeof params.field === 'string' ? params.field : '';
  if (!field && e.path && e.path.length) field = issueField(e.path);
  if (!field) {
    const m = /UNIQUE constraint failed: \w+\.(\w+)/.exec(e.message);
    if (m) field = m[1].replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  }
  if (!field || field === 'id') return null;
  return { path: [field], code: ErrorCode.conflict, message: e.message, params };
}

const CODE_WORDS: Record<string, string> = {
  invalid: 'Some values need fixing.',
  bad_request: 'The request was not understood.',
  not_found: 'It does not exist, or it belongs to another organization.',
  forbidden: 'You are not allowed to do that as this user.',
  conflict: 'It clashes with something that already exists or has changed.',
  plan_limit: 'Your plan’s project limit is reached.',
  budget_exceeded: 'Today’s cost budget is spent.',
  stale_lease: 'Another worker took over this item.',
  busy: 'The database is busy; try again in a moment.',
  locked: 'The tab that runs the database is not answering (it may be asleep in the background); try again, or close that tab.',
  io: 'The browser’s storage failed.',
};

/** The headline of an error in words (its issues are worded by issueText). */
export function errorHeadline(e: { code: string; message: string; path?: (string | number)[]; params?: Record<string, unknown>; issues?: Issue[] }): string {
  const c = conflictIssue(e);
  if (c) return `${issueText(c)}.`;
  if (e.code === ErrorCode.invalid && (e.issues?.length ?? 0) > 0) return CODE_WORDS.invalid;
  if (e.code === ErrorCode.forbidden || e.code === ErrorCode.notFound || e.code === ErrorCode.locked || e.code === ErrorCode.busy) return CODE_WORDS[e.code];
  // Otherwise the core's sentence (it is written for people), with internal names replaced and
  // any SQL detail dropped.
  const text = humanize(e.message.replace(/:?\s*(UNIQUE|FOREIGN KEY|CHECK|NOT NULL) constraint failed.*$/i, ''), issueField(e.path), fieldLabel(issueField(e.path)));
  return text || CODE_WORDS[e.code] || 'Something went wrong.';
}
