'use client';
import { useEffect, useState } from 'react';
import { useCore } from './CoreProvider';

/** Operation names a core may use to expose its zone list, in order of preference. */
export const ZONE_OPS = ['tz.list', 'tz.zones', 'timezone.list', 'meta.timezones', 'meta.zones'];

export interface ZoneList {
  zones: string[];
  /** 'core' when the list comes from the core's embedded tz database. */
  source: 'core' | 'browser' | 'none';
}

let cached: Promise<ZoneList> | null = null;

function namesOf(res: unknown): string[] {
  const arr = Array.isArray(res) ? res : (res as { zones?: unknown; items?: unknown; names?: unknown })?.zones ?? (res as { items?: unknown })?.items ?? (res as { names?: unknown })?.names;
  if (!Array.isArray(arr)) return [];
  return arr.map((z) => (typeof z === 'string' ? z : (z as { name?: string })?.name)).filter((z): z is string => typeof z === 'string');
}

/** The zone names for the timezone pickers: the core's list when an operation exposes it. */
export function useZoneList(): ZoneList | null {
  const { status, ops, call } = useCore();
  const [list, setList] = useState<ZoneList | null>(null);
  useEffect(() => {
    if (status !== 'ready') return;
    if (!cached) {
      cached = (async () => {
        const op = ZONE_OPS.find((o) => ops.has(o));
        if (op) {
          try {
            const zones = namesOf(await call(op, {}));
            if (zones.length) return { zones: [...zones].sort(), source: 'core' as const };
          } catch {
            /* fall through */
          }
        }
        const intl = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
        const zones = intl ? intl('timeZone') : [];
        return { zones: ['UTC', ...zones.filter((z) => z !== 'UTC')], source: zones.length ? ('browser' as const) : ('none' as const) };
      })();
    }
    let live = true;
    cached.then((l) => live && setList(l));
    return () => {
      live = false;
    };
  }, [status, ops, call]);
  return list;
}
