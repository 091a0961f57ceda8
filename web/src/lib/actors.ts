// Which (organization, user) pairs this browser knows. The core has no "list organizations"
// operation (tenancy: every request runs inside one organization), so the dashboard remembers one
// member id per organization from the demo seed / reset / import results and reads everything
// else (names, users, roles) from the core as that organization.
import type { Actor } from './core';

const KEYS = 'ec.orgKeys';
const ACTOR = 'ec.actor';

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

export function loadStoredKeys(): Actor[] {
  const v = read<Actor[]>(KEYS);
  return Array.isArray(v) ? v.filter((k) => k && typeof k.organizationId === 'string' && typeof k.userId === 'string') : [];
}
export function saveStoredKeys(keys: Actor[]) {
  localStorage.setItem(KEYS, JSON.stringify(keys));
}
export function loadStoredActor(): Actor | null {
  const v = read<Actor>(ACTOR);
  return v && typeof v.organizationId === 'string' && typeof v.userId === 'string' ? v : null;
}
export function saveStoredActor(a: Actor) {
  localStorage.setItem(ACTOR, JSON.stringify(a));
}

/**
 * Finds (organizationId, userId) pairs in a seed/reset/import result, whatever its exact shape:
 * {organizations:[{id, ownerId|owner|users}]}, {organization, owner}, {actors:[…]}, …
 */
export function actorsFromResult(result: unknown): Actor[] {
  const out: Actor[] = [];
  const seen = new Set<string>();
  const add = (organizationId: unknown, userId: unknown) => {
    if (typeof organizationId === 'string' && typeof userId === 'string' && !seen.has(organizationId)) {
      seen.add(organizationId);
      out.push({ organizationId, userId });
    }
  };
  const visit = (v: unknown, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 4) return;
    if (Array.isArray(v)) {
      v.forEach((x) => visit(x, depth + 1));
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.organizationId === 'string' && typeof o.userId === 'string') add(o.organizationId, o.userId);
    const org = (o.organization ?? null) as Record<string, unknown> | null;
    const owner = (o.owner ?? null) as Record<string, unknown> | null;
    if (org && owner) add(org.id, owner.id);
    if (typeof o.id === 'string' && typeof o.ownerId === 'string' && typeof o.slug === 'string') add(o.id, o.ownerId);
    if (typeof o.id === 'string' && Array.isArray(o.users) && o.users[0]) add(o.id, (o.users[0] as { id?: unknown }).id);
    if (typeof o.id === 'string' && Array.isArray(o.userIds)) add(o.id, o.userIds[0]);
    for (const k of ['organizations', 'orgs', 'actors', 'result', 'seed', 'summary']) visit(o[k], depth + 1);
  };
  visit(result, 0);
  return out;
}
