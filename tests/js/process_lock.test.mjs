// The Node module holds one process per database file (bindings/js/core.mjs processLocks;
// docs/ARCHITECTURE.md "Known limit of the Node module"): NODERAWFS locks nothing, and a
// tester's two processes writing one file at once lost acknowledged writes and damaged it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, CoreError } from './helpers/core.mjs';
import { processLockName } from '../../bindings/js/core.mjs';

const core = await load();
const skip = core.hasCore ? false : 'this build has no CoreHandle';
const helpers = new URL('./helpers/core.mjs', import.meta.url).href;
// The lock file of a database file (by device and inode: links and spellings share it).
const lockOf = (file) => processLockName(statSync(file));

// Opens `file` in a child process; answers "ok" or the CoreError's code and message.
function openElsewhere(file) {
  const script = `
    import { load } from ${JSON.stringify(helpers)};
    const core = await load();
    try { const db = core.open(${JSON.stringify(file)}); db.call({ op: 'meta.version' }); db.close(); console.log(JSON.stringify({ ok: true })); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message, retryable: e.retryable })); }`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
}

describe('one process per database file (Node module)', { skip }, () => {
  let dir;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ec-lock-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  test('a second process is refused with busy while the file is open, and opens it once closed', () => {
    const file = join(dir, 'a.db');
    const db = core.open(file);
    db.call({ op: 'meta.version' });
    assert.equal(existsSync(lockOf(file)), true);
    const other = openElsewhere(file);
    assert.equal(other.code, 'busy');
    assert.equal(other.retryable, true);
    assert.match(other.message, new RegExp(`another process \\(pid ${process.pid}\\)`));
    db.close();
    assert.equal(existsSync(lockOf(file)), false);
    assert.deepEqual(openElsewhere(file), { ok: true });
    assert.equal(existsSync(lockOf(file)), false);
  });

  test('handles of one module share the lock; the last close removes it', () => {
    const file = join(dir, 'b.db');
    const one = core.open(file);
    const two = core.open(join(dir, '.', 'x', '..', 'b.db'));  // another spelling, same file
    one.close();
    assert.equal(existsSync(lockOf(file)), true);
    assert.equal(openElsewhere(file).code, 'busy');
    two.close();
    assert.equal(existsSync(lockOf(file)), false);
  });

  test('a symbolic or hard link to the open file is the same file: refused too', () => {
    // Found by a tester: the lock named after the path let a process in through a link, and two
    // processes writing at once lost acknowledged writes.
    const file = join(dir, 'e.db');
    const db = core.open(file);
    symlinkSync(file, join(dir, 'e-sym.db'));
    linkSync(file, join(dir, 'e-hard.db'));
    assert.equal(openElsewhere(join(dir, 'e-sym.db')).code, 'busy');
    assert.equal(openElsewhere(join(dir, 'e-hard.db')).code, 'busy');
    db.close();
    assert.deepEqual(openElsewhere(join(dir, 'e-sym.db')), { ok: true });
    assert.equal(existsSync(lockOf(file)), false);
  });

  test('a lock left by a process that is gone (killed) is taken over', () => {
    const file = join(dir, 'c.db');
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    writeFileSync(file, '');  // a new, empty database
    writeFileSync(lockOf(file), `${deadPid} gone`);
    const db = core.open(file);
    assert.match(readFileSync(lockOf(file), 'utf8'), new RegExp(`^${process.pid} `));
    db.close();
    assert.equal(existsSync(lockOf(file)), false);
  });

  test('a refused open leaves no handle and no lock of its own; :memory: takes none', () => {
    const file = join(dir, 'd.db');
    writeFileSync(file, '');
    writeFileSync(lockOf(file), `${process.ppid} parent`);  // a live process that is not us
    assert.throws(() => core.open(file), (e) => e instanceof CoreError && e.code === 'busy');
    assert.equal(readFileSync(lockOf(file), 'utf8'), `${process.ppid} parent`);
    rmSync(lockOf(file));
    const mem = core.open(':memory:');
    mem.close();
  });
});
