// Compile-only type test of the typed client (never run). Every line marked @ts-expect-error
// must fail to compile; if the client's types ever became `any`, tsc reports the marker as
// unused and this test fails. Checked with `tsc --noEmit --strict` by tests/js/types.test.mjs.
import { openCore, CoreError, ErrorCode } from '../../web/src/core/client';
import type { Core, OperationName, ParamsOf, ResultOf } from '../../web/src/core/client';
import type { ClaimResult, Project, Organization, Page } from '../../web/src/core/types.generated';

export async function usage(): Promise<void> {
  const core: Core = await openCore({ name: 'demo', storage: 'auto', lock: 'fail' });
  core.setActor({ organizationId: 'o', userId: 'u' });

  // Results are typed.
  const page: Page<Project> = await core.project.list();
  const first: Project | undefined = page.items[0];
  const name: string | undefined = first?.name;
  const org: Organization = await core.organization.get();
  const created = await core.organization.create({ name: 'Acme', slug: 'acme', ownerEmail: 'a@example.com', ownerName: 'Ada' });
  const ownerId: string = created.owner.id;
  const filtered = await core.project.list({ status: 'active', limit: 10 }, { now: '2025-08-15T09:00:00.000Z' });
  const total: number = filtered.total;
  await core.project.memory.add({ projectId: 'p', content: 'remember this' } as ParamsOf<'project.memory.add'>);
  const byName: ResultOf<'project.get'> = await core.call('project.get', { id: 'x' });
  const state = core.status;
  const bytes: Uint8Array = await core.exportDatabase();
  await core.importDatabase(bytes);
  await core.importDatabase(bytes.buffer as ArrayBuffer);
  const off = core.onProgress(({ done, total: t, phase, op }) => void [done, t, phase, op]);
  off();
  const op: OperationName = 'project.list';
  void [first, name, org, ownerId, total, byName, state, op];

  try {
    await core.project.get({ id: 'missing' });
  } catch (e) {
    if (e instanceof CoreError && e.code === ErrorCode.notFound) void e.issues.length;
  }

  // @ts-expect-error: a wrong field name in the params
  await core.project.list({ statuz: 'active' });
  // @ts-expect-error: a wrong value for an enum field
  await core.project.list({ status: 'sleeping' });
  // @ts-expect-error: a required parameter is missing
  await core.project.get({});
  // @ts-expect-error: params are required for project.get
  await core.project.get();
  // @ts-expect-error: wrong type for a parameter
  await core.project.get({ id: 42 });
  // @ts-expect-error: an operation that does not exist
  await core.project.explode();
  // @ts-expect-error: a family that does not exist
  await core.projects.list();
  // @ts-expect-error: an unknown operation name in call()
  await core.call('project.lists', {});
  // @ts-expect-error: the result has no such field
  void (await core.project.list()).itemz;
  // Named results (core/api/results.cpp) are typed as declared.
  const claim: ClaimResult = await core.queue.claim({ workerId: 'w' }, { as: { system: true, organizationId: 'o' } });
  const token: number | undefined = claim.items[0]?.token;
  const blockedBy: string | undefined = claim.blocked?.reason;
  void [token, blockedBy];
  // @ts-expect-error: a renamed key of a named result
  void claim.items[0]?.tokens;
  // @ts-expect-error: an optional key of a result may be absent
  void claim.blocked.reason;
  // @ts-expect-error: a wrong field name on an entity
  void (await core.organization.get()).title;
  // @ts-expect-error: the actor needs userId
  core.setActor({ organizationId: 'o' });
  // @ts-expect-error: organization.create needs the owner's email
  await core.organization.create({ name: 'Acme', slug: 'acme', ownerName: 'Ada' });
  // @ts-expect-error: import takes bytes, not a string
  await core.importDatabase('file.sqlite');
  // @ts-expect-error: unknown storage
  await openCore({ storage: 'localStorage' });

  await core.close();
}
