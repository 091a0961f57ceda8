import type { Occurrence } from '@/core/types.generated';
import { offsetLabel } from '@/lib/time';

/** Marks a preview item whose local time moved (spring-forward gap), that is ambiguous (fall-back),
 *  or whose UTC offset differs from the item before (the clocks changed in between). */
export function DstMark({ occ, prev }: { occ: Occurrence; prev?: Occurrence }) {
  const notes: string[] = [];
  if (occ.shifted) notes.push(`moved ${occ.shiftMinutes > 0 ? '+' : ''}${occ.shiftMinutes} min (the local time does not exist that day)`);
  if (occ.ambiguous) notes.push('occurs twice (clocks go back): the earlier one');
  if (prev && prev.offsetMinutes !== occ.offsetMinutes) notes.push(`clocks changed: ${offsetLabel(prev.offsetMinutes)} → ${offsetLabel(occ.offsetMinutes)}`);
  if (!notes.length) return null;
  return (
    <span className="dst" data-testid="dst-mark">
      ⚠ DST: {notes.join('; ')}
    </span>
  );
}
