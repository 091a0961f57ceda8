// The SQLite engine: one long-lived `episodes-core call --db FILE` child per run, JSON lines in,
// one JSON line out per request (requests are pipelined; answers come back in order).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliPath, isSystem, requestText } from '../lib.mjs';

// Until the core knows the system principal (PLAN "Principals"), EC_SYSTEM_AS_OWNER=1 sends
// {system:true, organizationId} as that organization's first owner, and clock.* without `as`.
// Off by default: the scenarios state the design, not today's behaviour.
const legacySystem = process.env.EC_SYSTEM_AS_OWNER === '1';

export class SqliteDriver {
  static async open({ cli = cliPath(), idSeed } = {}) {
    const d = new SqliteDriver();
    d.dir = mkdtempSync(join(tmpdir(), 'ec-scen-'));
    d.db = join(d.dir, 'scenario.sqlite');
    const args = ['call', '--db', d.db];
    if (idSeed !== undefined) args.push('--id-seed', String(idSeed));
    d.child = spawn(cli, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    d.pending = [];
    d.stderr = '';
    d.dead = null;
    d.child.stderr.on('data', (b) => { d.stderr += b; });
    createInterface({ input: d.child.stdout }).on('line', (line) => {
      const p = d.pending.shift();
      if (!p) return;
      try { p.resolve(JSON.parse(line)); } catch (e) { p.resolve({ ok: false, error: { code: 'runner_bad_json', message: line.slice(0, 300) } }); }
    });
    d.child.on('error', (e) => {
      d.dead = `cannot run ${cli}: ${e.message}`;
      for (const p of d.pending.splice(0)) p.resolve({ ok: false, error: { code: 'runner_process_exited', message: d.dead } });
    });
    d.child.on('exit', (code) => {
      d.dead = `episodes-core call exited (${code}): ${d.stderr.slice(0, 500)}`;
      for (const p of d.pending.splice(0)) p.resolve({ ok: false, error: { code: 'runner_process_exited', message: d.dead } });
    });
    d.child.stdin.on('error', () => {});
    d.owners = new Map();
    return d;
  }

  get name() { return 'sqlite'; }

  /** req: {op, as?, params?, now?}; resolves with the core's answer object. */
  call(req) {
    if (this.dead) return Promise.resolve({ ok: false, error: { code: 'runner_process_exited', message: this.dead } });
    const out = { op: req.op };
    if (req.as !== undefined) out.as = req.as;
    if (req.params !== undefined) out.params = req.params;
    if (req.now !== undefined) out.now = req.now;
    if (legacySystem && isSystem(out.as)) {
      if (req.op.startsWith('clock.')) delete out.as;
      else out.as = { organizationId: out.as.organizationId, userId: this.owners.get(out.as.organizationId) };
    }
    const p = new Promise((resolve) => this.pending.push({ resolve }));
    this.child.stdin.write(requestText(out) + '\n');
    return p.then((r) => {
      if (req.op === 'organization.create' && r.ok) this.owners.set(r.result.organization.id, r.result.owner.id);
      return r;
    });
  }

  async close() {
    if (!this.dead) {
      this.child.stdin.end();
      await new Promise((resolve) => { if (this.child.exitCode !== null || this.dead) resolve(); else this.child.on('exit', resolve); });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
