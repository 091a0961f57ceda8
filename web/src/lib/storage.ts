'use client';
// The browser database is the only copy of the data, so the dashboard asks the browser once to
// keep its storage persistent (navigator.storage.persist) and shows the answer in the Demo panel.
// "Once": the request is made at most once per browser profile (remembered in localStorage); on
// later visits the current state is only read (navigator.storage.persisted).
import { useEffect, useState } from 'react';

export type PersistState = 'checking' | 'persistent' | 'best-effort' | 'unsupported';

const ASKED = 'ec.storage.persistAsked';
let pending: Promise<PersistState> | null = null;

/** Asks for persistent storage at most once per profile; resolves to the current state. */
export function ensurePersistentStorage(): Promise<PersistState> {
  if (pending) return pending;
  pending = (async (): Promise<PersistState> => {
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    if (!storage || typeof storage.persisted !== 'function') return 'unsupported';
    try {
      if (await storage.persisted()) return 'persistent';
      let asked = false;
      try {
        asked = localStorage.getItem(ASKED) === '1';
      } catch {
        /* no localStorage: ask, but only in this page */
      }
      if (asked || typeof storage.persist !== 'function') return 'best-effort';
      try {
        localStorage.setItem(ASKED, '1');
      } catch {
        /* ignore */
      }
      return (await storage.persist()) ? 'persistent' : 'best-effort';
    } catch {
      return 'best-effort';
    }
  })();
  return pending;
}

export function usePersistentStorage(): { state: PersistState } {
  const [state, setState] = useState<PersistState>('checking');
  useEffect(() => {
    let live = true;
    void ensurePersistentStorage().then((s) => live && setState(s));
    return () => {
      live = false;
    };
  }, []);
  return { state };
}
