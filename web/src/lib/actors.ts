// Who can be acted as in this browser's database: the core's `demo.actors` lists every
// organization with its current members (owners first). The dashboard acts as the last choice
// (kept in localStorage) when it still exists, else as the first organization's owner.
import type { ResultOf } from '@/core/types.generated';
import type { Actor } from './core';

/** One organization of `demo.actors` with its members. */
export type OrgEntry = ResultOf<'demo.actors'>[number];
export type DirectoryUser = OrgEntry['users'][number];

/** localStorage key of the last choice (lib/earlyBoot.ts also reads it: none yet = a first visit). */
export const ACTOR = 'ec.actor';

export function loadStoredActor(): Actor | null {
  try {
    const text = localStorage.getItem(ACTOR);
    const v = text ? (JSON.parse(text) as Actor) : null;
    return v && typeof v.organizationId === 'string' && typeof v.userId === 'string' ? v : null;
  } catch {
    return null;
  }
}
export function saveStoredActor(a: Actor) {
  localStorage.setItem(ACTOR, JSON.stringify(a));
}

/** The first member to act as in an organization: its owner (demo.actors lists owners first). */
export function defaultUser(entry: OrgEntry): DirectoryUser | undefined {
  return entry.users.find((u) => u.role === 'owner') ?? entry.users[0];
}

/**
 * Whom to act as in `directory`: `preferred` (the current or last choice) when its organization
 * and user still exist (its organization's owner when only the user is gone), else the first
 * organization with members and its owner; null when there is none.
 */
export function pickActor(directory: OrgEntry[], preferred: Actor | null): Actor | null {
  if (preferred) {
    const entry = directory.find((e) => e.organization.id === preferred.organizationId);
    if (entry?.users.some((u) => u.id === preferred.userId)) return { ...preferred };
    const owner = entry && defaultUser(entry);
    if (entry && owner) return { organizationId: entry.organization.id, userId: owner.id };
  }
  for (const entry of directory) {
    const user = defaultUser(entry);
    if (user) return { organizationId: entry.organization.id, userId: user.id };
  }
  return null;
}
