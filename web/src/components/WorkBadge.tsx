'use client';
// The status of an episode or queue item as it really is: "generating" / "processing" only while
// the demo worker runs. A claimed item with no worker running is not being worked on; it is
// "claimed — worker stopped" (its lease runs out and the next worker takes it again).
import { useDemoWorker } from './DemoWorker';
import { StatusBadge } from './ui';

const WORKING = new Set(['generating', 'processing']);

export function WorkBadge({ status, label }: { status: string; label?: string }) {
  const { running } = useDemoWorker();
  if (WORKING.has(status) && !running) {
    return (
      <span className="badge warn wraps" title="Claimed by a worker that is not running: nothing is being generated. Start the demo worker to finish it." data-testid="claimed-stopped">
        claimed — worker stopped
      </span>
    );
  }
  return <StatusBadge status={status} label={label} />;
}
