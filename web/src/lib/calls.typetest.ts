// Compile-only type test (never imported): the dashboard calls the generated, typed client, so a
// mistyped operation name, an unknown parameter or a renamed result key fails `tsc --noEmit`
// (and `next build`). If `call` ever became untyped, tsc reports the markers below as unused.
import type { CoreState } from '@/components/CoreProvider';
import type { ProjectStatus } from '@/core/constants.generated';

export async function dashboardCalls(call: CoreState['call'], callAsSystem: CoreState['callAsSystem']): Promise<void> {
  const plan = await callAsSystem('queue.plan', {});
  const added: number = plan.added;
  const overview = await call('project.overview', { limit: 10 });
  const next: string | null = overview.items[0]?.nextEpisodeAt ?? null;
  const status: ProjectStatus | undefined = overview.items[0]?.project.status;
  void [added, next, status];

  // @ts-expect-error: a mistyped operation name
  await call('project.overveiw', {});
  // @ts-expect-error: an operation name that only looks like one
  await callAsSystem('queue.plan ', {});
  // @ts-expect-error: an unknown parameter
  await call('project.list', { statuz: 'active' });
  // @ts-expect-error: a required parameter is missing
  await call('project.get');
  // @ts-expect-error: a renamed result key
  void plan.addedCount;
  // @ts-expect-error: the budget status has no `spent` (it is spentMicros)
  void (await call('budget.status', {})).spent;
}
