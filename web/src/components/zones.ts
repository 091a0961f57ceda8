'use client';
import { useEffect, useState } from 'react';
import { useCore } from './CoreProvider';

export interface ZoneList {
  /** The canonical IANA zones of the core's embedded tz database (tz.list), sorted. */
  zones: string[];
  /** The core's tzdata version (e.g. "2025b"), or null. */
  version: string | null;
  /** 'core' when the list comes from tz.list; 'none' when it could not be read. */
  source: 'core' | 'none';
}

let cached: Promise<ZoneList> | null = null;

/**
 * The zone names for the timezone pickers: the core's own list (`tz.list`), so the picker offers
 * exactly the names the core accepts (the browser's Intl list can differ in version and aliases).
 */
export function useZoneList(): ZoneList | null {
  const { status, core } = useCore();
  const [list, setList] = useState<ZoneList | null>(null);
  useEffect(() => {
    if (status !== 'ready' || !core) return;
    if (!cached) {
      cached = (async (): Promise<ZoneList> => {
        try {
          const res = await core.call('tz.list', {});
          return { zones: res.zones, version: res.version, source: res.zones.length ? 'core' : 'none' };
        } catch {
          return { zones: [], version: null, source: 'none' };
        }
      })();
      // A failed read is retried by the next picker rather than kept.
      void cached.then((l) => {
        if (l.source === 'none') cached = null;
      });
    }
    let live = true;
    cached.then((l) => live && setList(l));
    return () => {
      live = false;
    };
  }, [status, core]);
  return list;
}
