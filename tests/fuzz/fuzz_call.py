#!/usr/bin/env python3
"""Bounded, deterministic fuzzer of `episodes-core call` (the JSON-lines API).

    python3 tests/fuzz/fuzz_call.py --cli build/asan/episodes-core [--seed 1] [--count 20000]

(seed and count also come from EC_FUZZ_SEED / EC_FUZZ_COUNT; arguments win.)

1. Seeds a fresh database with the demo dataset (`episodes-core seed`), reads its actors and a
   few rows of every entity through `call`, and builds a corpus of valid requests for every
   operation named by meta.operations (parameters taken from docs/API.md, rows from the data).
2. Generates --count requests from it, each mutated by one to three of: wrong types, huge /
   negative / fractional / 1e400 numbers, deep nesting, long strings, U+0000 (escaped and raw),
   invalid UTF-8 bytes and lone surrogates, unknown / missing / duplicate keys, hostile `as`,
   `now` and `op`, truncated JSON and random bytes. The same seed gives the same lines.
3. Feeds them through `call --db` in batches (one process per batch, so opening and closing a
   used database is exercised too) and checks that every non-blank input line gets exactly one
   output line, which parses as a JSON object with a boolean `ok` and, when false, an
   `error.code` other than "internal"; that the process exits 0 (all ok) or 1 (some refused)
   and prints no sanitizer report; and, at the end, that `PRAGMA integrity_check` is ok and
   `PRAGMA foreign_key_check` is empty (stock sqlite3 CLI).

Prints "fuzz: N requests, M errors by code {...}, K findings" and exits 1 when K > 0. Findings are
listed (input and output, shortened) on stdout and all of them written to WORK/findings.jsonl.
"""
import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SANITIZER_MARKERS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:", b"UndefinedBehaviorSanitizer")

# Entity op prefix -> list op; rows from it feed ids and create/update params.
ENTITY_PREFIXES = ["user", "project", "episode", "queue", "chatSession", "chatMessage", "tokenUsage",
                   "usageDaily", "budgetReservation", "planningNote", "agentMemory", "userEvent",
                   "auditLog", "block", "highlight"]
SERVER_FIELDS = {"id", "organizationId", "createdAt", "updatedAt", "deletedAt", "deletedBy", "version"}


def run_call(cli, db, lines, id_seed=7, timeout=900):
    """Runs one `call` process over the given byte lines; returns (rc, stdout lines, stderr)."""
    data = b"".join(l + b"\n" for l in lines)
    p = subprocess.run([cli, "call", "--db", db, "--id-seed", str(id_seed)], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    out = p.stdout.split(b"\n")
    if out and out[-1] == b"":
        out.pop()
    return p.returncode, out, p.stderr


def call_json(cli, db, requests):
    rc, out, err = run_call(cli, db, [json.dumps(r).encode() for r in requests])
    if len(out) != len(requests):
        sys.exit(f"fuzz: setup call failed (exit {rc}): {err.decode(errors='replace')[:2000]}")
    return [json.loads(o) for o in out]


def parse_api_doc(path):
    """op -> {"params": [(name, type text, required)], "input": type name or None, "patch": ...}."""
    ops = {}
    cur = None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"^### `([^`]+)`", line)
        if m:
            cur = ops.setdefault(m.group(1), {"params": [], "input": None, "patch": None})
            continue
        if line.startswith("## ") or line.startswith("### "):
            cur = None  # a family heading, or the "Result types" section (not an operation)
            continue
        if cur is None:
            continue
        m = re.match(r"^- Input: the params object is a `(\w+)`", line)
        if m:
            cur["input"] = m.group(1)
            continue
        m = re.match(r"^- Input: `(\w+)` is a `(\w+)`", line)
        if m:
            cur["patch"] = (m.group(1), m.group(2))
            continue
        m = re.match(r"^- `(\w+)`: `([^`]*)`(.*)$", line)
        if m:
            cur["params"].append((m.group(1), m.group(2), "(required)" in m.group(3)))
    return ops


class World:
    """What the seeded database holds: principals and sample rows per entity."""

    def __init__(self, cli, db):
        meta, actors = call_json(cli, db, [{"op": "meta.operations"}, {"op": "demo.actors", "as": {"system": True}}])
        self.ops = [o["name"] for o in meta["result"]]
        self.principals = []
        self.orgs = []
        for a in actors.get("result", []):
            org = a["organization"]["id"]
            self.orgs.append(org)
            for u in a["users"]:
                self.principals.append({"organizationId": org, "userId": u["id"], "role": u["role"]})
        if not self.principals:
            sys.exit(f"fuzz: demo.actors gave no principals: {actors}")
        # The dataset's "now" (seed --reference-date default): the inputs do not depend on the
        # wall clock, so a seed always gives the same lines.
        self.now = "2025-08-15T12:00:00.000Z"
        owner = next(p for p in self.principals if p["role"] == "owner")
        self.owner = owner
        # Fix the store clock there too (as the system, or without `as` for older cores).
        call_json(cli, db, [{"op": "clock.set", "params": {"now": self.now}},
                            {"op": "clock.set", "params": {"now": self.now},
                             "as": {"system": True, "organizationId": owner["organizationId"]}}])
        reqs = [{"op": f"{e}.list", "as": self.as_of(owner), "params": {"limit": 20}}
                for e in ENTITY_PREFIXES if f"{e}.list" in self.ops]
        self.rows = {}
        for req, res in zip(reqs, call_json(cli, db, reqs)):
            r = res.get("result") if res.get("ok") else None
            items = r.get("items", []) if isinstance(r, dict) else (r or [])
            self.rows[req["op"].rsplit(".", 1)[0]] = [i for i in items if isinstance(i, dict)]
        self.ids = {e: [r["id"] for r in rows if "id" in r] for e, rows in self.rows.items()}

    @staticmethod
    def as_of(p):
        return {"organizationId": p["organizationId"], "userId": p["userId"]}

    def any_id(self, rng, entity=None):
        if entity and self.ids.get(entity):
            return rng.choice(self.ids[entity])
        pool = [i for ids in self.ids.values() for i in ids]
        return rng.choice(pool) if pool else "00000000-0000-4000-8000-000000000000"


def id_entity(name):
    """Which entity an id-like parameter names (projectId -> project)."""
    if name in ("reservationId",):
        return "budgetReservation"
    if name in ("queueItemId",):
        return "queue"
    if name.endswith("Id") and name != "workerId":
        base = name[:-2]
        return base if base in ENTITY_PREFIXES else ("chatSession" if base == "session" else base)
    return None


def value_for(world, rng, op, name, type_text):
    """A plausible valid value for a documented parameter."""
    entity = op.rsplit(".", 1)[0]
    if name == "id":
        return world.any_id(rng, entity if entity in world.ids else None)
    ent = id_entity(name)
    if ent is not None:
        return world.any_id(rng, ent)
    enum = re.findall(r'"([^"]+)"', type_text)
    if enum:
        return rng.choice(enum)
    t = type_text.split("|")[0].strip()
    if name in ("now", "from", "until"):
        return world.now
    if name in ("timezone", "ownerTimezone"):
        return rng.choice(["Europe/London", "UTC", "America/New_York"])
    if name == "eventType":
        return rng.choice(["onboarding.completed", "episode.viewed"])
    if name == "referenceDate":
        return "2025-08-15"
    if name == "cadence":
        return {"days": ["mon", "wed"], "time": "09:00"}
    if name == "usage":
        return {"model": "gpt-4o-mini", "inputTokens": 100, "outputTokens": 50, "costMicros": 1200}
    if t == "number":
        return rng.choice([0, 1, 2, 5, 10, 100])
    if t == "boolean":
        return rng.random() < 0.5
    if t == "string":
        return rng.choice(["fuzz", "Fuzz Name", "fuzz-slug-%d" % rng.randrange(10**6), "a@b.example"])
    if t.startswith("Record"):
        return {}
    return None


def row_params(world, rng, entity):
    rows = world.rows.get(entity) or []
    if not rows:
        return {}
    row = dict(rng.choice(rows))
    for k in SERVER_FIELDS:
        row.pop(k, None)
    for k in ("slug", "email"):
        if k in row and isinstance(row[k], str):
            row[k] = "f%d-" % rng.randrange(10**6) + row[k]
    return row


def valid_request(world, api, rng, op):
    doc = api.get(op, {"params": [], "input": None, "patch": None})
    entity = op.rsplit(".", 1)[0]
    params = {}
    if doc["input"]:
        params.update(row_params(world, rng, entity))
    if doc["patch"]:
        row = row_params(world, rng, entity)
        keys = [k for k in row if not k.endswith("Id")]  # references are fixed after create
        rng.shuffle(keys)
        params[doc["patch"][0]] = {k: row[k] for k in keys[:rng.randint(1, 3)]} if keys else {}
    for name, type_text, required in doc["params"]:
        if required or rng.random() < 0.4:
            v = value_for(world, rng, op, name, type_text)
            if v is not None or "null" in type_text:
                params[name] = v
    req = {"op": op, "params": params}
    # Mostly a member of the organization the sample rows come from (else ids are not_found).
    home = [q for q in world.principals if q["organizationId"] == world.owner["organizationId"]]
    p = rng.choice(home if rng.random() < 0.85 else world.principals)
    if op == "organization.create":
        params.update({"name": "Fuzz Org", "slug": "fuzz-%d" % rng.randrange(10**9),
                       "ownerEmail": "o%d@fuzz.example" % rng.randrange(10**9), "ownerName": "Owner"})
    if rng.random() < 0.97:
        req["as"] = World.as_of(p)
    if rng.random() < 0.1:
        req["now"] = world.now
    return req


# ---- mutations -------------------------------------------------------------------------------
# Raw JSON text that Python cannot produce (1e400, -0, exotic spellings) is planted as a sentinel
# string and substituted after serialization.
RAW = ["1e400", "-1e400", "1E+309", "-0", "0.0", "1e-400", "9223372036854775807",
       "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
       "18446744073709551616", "9007199254740993", "123456789012345678901234567890", "1.5",
       "-1", "4.9e-324", "1.7976931348623157e308", "00", "1.", ".5", "+1", "NaN", "Infinity",
       "0x10", "true", "null", "[]", "{}", r'"\ud800"', r'"a\udc00b"', r'"\u0000"', r'"\uFFFF"']
HOSTILE_STRINGS = ["", " ", "\u0000", "a\u0000b", "\u202e", "💥" * 3, "é" * 5,
                   "'; DROP TABLE projects; --", "%s%n%x", "../../etc/passwd", "null", "0",
                   "2025-02-30T25:61:61Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
                   "10000-01-01T00:00:00Z", "-000001-01-01T00:00:00Z", "2025-08-15", "Europe/Nowhere",
                   "00000000-0000-0000-0000-000000000000", "ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ"]
BAD_BYTES = [b"\xff", b"\xfe\xfe", b"\xc3\x28", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
             b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\x80", b"\x00", b"\xc3"]


class Gen:
    def __init__(self, world, api, seed):
        self.world = world
        self.api = api
        self.rng = random.Random(seed)
        self.raw = {}

    def raw_token(self, text):
        key = "@@RAW%d@@" % len(self.raw)
        self.raw[key] = text
        return key

    def weird_value(self, depth=0):
        r = self.rng
        k = r.randrange(12)
        if k == 0:
            return self.raw_token(r.choice(RAW))
        if k == 1:
            return r.choice([2**63 - 1, -2**63, 2**63, 2**64, 2**53 + 1, -(2**53) - 1, -1, 0, 10**30,
                             -10**30, 1.5, -0.5, 1e300, -1e300, 5e-324])
        if k == 2:
            return r.choice(HOSTILE_STRINGS)
        if k == 3:
            # mostly moderate (the run stays fast); now and then past 64 KiB and past 1 MB
            x = r.random()
            n = r.choice([256, 1000, 4097, 20000]) if x < 0.97 else 300_000 if x < 0.995 else 2_000_000
            return r.choice(["x", "é", "💥", "\u0000", "ab"]) * n
        if k == 4:
            return self.deep(r.choice([5, 50, 500, 5000]) if r.random() < 0.95 else 50000)
        if k == 5:
            return [self.weird_value(depth + 1) if depth < 2 else 1 for _ in range(r.randint(0, 4))]
        if k == 6:
            return {r.choice(["a", "", "\u0000", "id", "__proto__", "constructor"]):
                    self.weird_value(depth + 1) if depth < 2 else None for _ in range(r.randint(0, 3))}
        if k == 7:
            x = r.random()
            return [0] * 100_000 if x < 0.03 else [0] * 1000 if x < 0.3 else list(range(r.randint(0, 2000)))
        if k == 8:
            return r.choice([True, False, None])
        if k == 9:
            return self.world.any_id(r)
        if k == 10:
            return r.choice(self.world.orgs)
        return r.random() * 10 ** r.randint(-5, 20) * r.choice([1, -1])

    def deep(self, n):
        if self.rng.random() < 0.5:
            return self.raw_token("[" * n + "]" * n)
        return self.raw_token('{"a":' * n + "1" + "}" * n)

    def mutate_obj(self, req):
        """One structural mutation of the request object (in place where possible)."""
        r = self.rng
        params = req.get("params") if isinstance(req.get("params"), dict) else None
        k = r.randrange(16)
        if k <= 3 and params:  # replace one param value (wrong type, hostile number, ...)
            key = r.choice(list(params))
            params[key] = self.weird_value()
        elif k == 4 and params:  # drop a param
            params.pop(r.choice(list(params)))
        elif k == 5:  # unknown key in params or at top level
            target = params if params is not None and r.random() < 0.6 else req
            target[r.choice(["zzz", "extra", "id", "organizationId", "deletedAt", "\u0000", "",
                             "createdAt", "version", "params", "as"])] = self.weird_value()
        elif k == 6:  # drop a top-level key
            if req:
                req.pop(r.choice(list(req)))
        elif k == 7:  # hostile `as`
            req["as"] = r.choice([
                None, {}, "x", [], {"organizationId": r.choice(self.world.orgs)},
                {"userId": self.world.any_id(r, "user")},
                {"organizationId": r.choice(self.world.orgs), "userId": self.world.any_id(r, "user")},
                {"system": True, "organizationId": r.choice(self.world.orgs)},
                {"system": True}, {"system": "yes", "organizationId": 5},
                {"organizationId": self.weird_value(), "userId": self.weird_value()}])
        elif k == 8:  # hostile `now`
            req["now"] = r.choice(HOSTILE_STRINGS + [self.weird_value(), "2025-08-15T12:00:00Z",
                                                      "2026-03-29T01:30:00Z"])
        elif k == 9:  # hostile `op`
            req["op"] = r.choice(["", "nope", "project", ".list", "project.LIST", "PROJECT.list",
                                  "project.list ", "meta.version\u0000", "__proto__", 5, None, [],
                                  r.choice(self.world.ops) + "x"])
        elif k == 10:  # params of the wrong shape
            req["params"] = r.choice([None, [], "x", 1, True, self.weird_value()])
        elif k == 11 and params:  # nested objects inside params
            key = r.choice(list(params))
            params[key] = {"patch": self.weird_value(), key: params[key]}
        elif k == 12:  # params taken from another operation
            other = valid_request(self.world, self.api, r, r.choice(self.world.ops))
            req["params"] = other.get("params", {})
        elif k == 13 and params:  # every param replaced
            for key in list(params):
                params[key] = self.weird_value()
        elif k == 14:  # the request is not an object
            return r.choice([[req], "x", 1, None, True, [], self.weird_value()])
        else:
            if params is not None:
                params[r.choice(["limit", "offset", "count", "days", "horizonDays", "leaseSeconds",
                                 "ttlSeconds", "estimateMicros", "token", "number", "seed"])] = \
                    self.weird_value()
        return req

    def serialize(self, obj):
        text = json.dumps(obj, ensure_ascii=self.rng.random() < 0.3, separators=(",", ":"))
        raw = self.raw
        for key, val in raw.items():
            text = text.replace('"%s"' % key, val)
        return text.encode("utf-8", "surrogatepass")

    def mutate_bytes(self, line):
        r = self.rng
        k = r.randrange(7)
        if k == 0 and len(line) > 1:  # truncated JSON
            return line[:r.randrange(1, len(line))]
        if k == 1:  # invalid UTF-8 / raw NUL inside a string or anywhere
            pos = line.find(b'":"')
            at = pos + 3 if pos >= 0 and r.random() < 0.8 else r.randrange(len(line) + 1)
            return line[:at] + r.choice(BAD_BYTES) + line[at:]
        if k == 2:  # duplicate keys (textual): the first key repeated with another value
            m = re.match(rb'^\{("[^"]*"):', line)
            if m:
                dup = m.group(1) + b":" + r.choice([b"1", b'"x"', b"null", b'"meta.version"', b"{}"]) + b","
                return b"{" + dup + line[1:] if r.random() < 0.5 else line[:-1] + b"," + dup[:-1] + b"}"
            return line
        if k == 3:  # random bytes (no newline: one line stays one line)
            return bytes(r.choice([b for b in range(256) if b != 10]) for _ in range(r.randint(1, 200)))
        if k == 4:  # a few flipped bytes
            b = bytearray(line)
            for _ in range(r.randint(1, 4)):
                if b:
                    i = r.randrange(len(b))
                    b[i] = r.choice([x for x in range(256) if x != 10])
            return bytes(b)
        if k == 5:  # trailing garbage / second document on the line
            return line + r.choice([b" x", b"{}", b",", b"]", b" " * 10, b'{"op":"meta.version"}', b"\r"])
        return b"\xef\xbb\xbf" + line  # BOM

    def request(self):
        r = self.rng
        self.raw = {}
        op = r.choice(self.world.ops)
        # Purges and user deletions remove the rows the corpus refers to: drawn 10x less often.
        if (op.endswith(".purge") or op == "user.delete") and r.random() < 0.9:
            op = r.choice(self.world.ops)
        req = valid_request(self.world, self.api, r, op)
        roll = r.random()
        if roll < 0.15:  # some untouched valid requests keep the database moving
            return self.serialize(req)
        obj = req
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            if isinstance(obj, dict):
                obj = self.mutate_obj(obj)
        line = self.serialize(obj)
        if r.random() < 0.25:
            line = self.mutate_bytes(line)
        return line.replace(b"\n", b" ")


def blank(line):
    return line.strip(b" \t\r") == b""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default=os.path.join(ROOT, "build/native/episodes-core"))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("EC_FUZZ_SEED", "1")))
    ap.add_argument("--count", type=int, default=int(os.environ.get("EC_FUZZ_COUNT", "20000")))
    ap.add_argument("--batch", type=int, default=2500, help="requests per call process")
    ap.add_argument("--work", help="keep the database and findings here (default: temp dir)")
    ap.add_argument("--show", type=int, default=20, help="findings printed in full")
    args = ap.parse_args()
    cli = os.path.abspath(args.cli)
    # A RAM-backed directory when there is one: the database is written ~20,000 times.
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    work = args.work or tempfile.mkdtemp(prefix="ec_fuzz.", dir=shm)
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, "fuzz.db")
    for f in (db, db + "-journal", db + "-wal"):
        if os.path.exists(f):
            os.remove(f)
    seed = subprocess.run([cli, "seed", "--db", db, "--seed", "42", "--quiet"], capture_output=True)
    if seed.returncode != 0:
        sys.exit(f"fuzz: seed failed: {seed.stdout!r} {seed.stderr!r}")
    world = World(cli, db)
    api = parse_api_doc(os.path.join(ROOT, "docs/API.md"))
    gen = Gen(world, api, args.seed)

    findings = []
    codes = {}
    total = 0

    def finding(kind, line, out=b""):
        findings.append({"kind": kind, "input": line[:400].decode("utf-8", "backslashreplace"),
                         "inputBytes": len(line), "output": out[:400].decode("utf-8", "backslashreplace")})

    def check_answers(lines, out):
        failed = False
        for line, o in zip(lines, out):
            try:
                res = json.loads(o)
            except ValueError:
                finding("output is not JSON", line, o)
                continue
            if not isinstance(res, dict) or not isinstance(res.get("ok"), bool):
                finding("no boolean ok", line, o)
                continue
            if res["ok"]:
                continue
            failed = True
            e = res.get("error")
            code = e.get("code") if isinstance(e, dict) else None
            codes[str(code)] = codes.get(str(code), 0) + 1
            if not isinstance(code, str) or not code:
                finding("error without code", line, o)
            elif code == "internal":
                finding("internal", line, o)
        return failed

    t_gen = t_call = 0.0
    done = 0
    while done < args.count:
        n = min(args.batch, args.count - done)
        t = time.monotonic()
        pending = [l for l in (gen.request() for _ in range(n)) if not blank(l)]
        t_gen += time.monotonic() - t
        done += n
        total += n
        # One process per batch. When it dies before answering every line, the line it was on is
        # the finding, and the rest of the batch runs in a new process.
        while pending:
            t = time.monotonic()
            rc, out, err = run_call(cli, db, pending)
            t_call += time.monotonic() - t
            if any(m in err for m in SANITIZER_MARKERS):
                at = pending[len(out)] if len(out) < len(pending) else b"(after the last line)"
                finding("sanitizer report", at, err[-3000:])
            failed = check_answers(pending, out)
            if len(out) < len(pending):
                finding("process ended (exit %d) without answering this line" % rc, pending[len(out)],
                        err[-2000:])
                pending = pending[len(out) + 1:]
                continue
            if len(out) > len(pending):
                finding("%d output lines for %d requests" % (len(out), len(pending)), b"(batch)")
            elif rc not in (0, 1) or (rc == 1) != failed:
                finding("exit code %d (answers: %s)" % (rc, "some refused" if failed else "all ok"),
                        b"(batch)", err[-2000:])
            pending = []
    errors = sum(codes.values())

    integrity = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"], capture_output=True, text=True)
    if integrity.returncode != 0 or integrity.stdout.strip() != "ok":
        finding("integrity_check", b"", (integrity.stdout + integrity.stderr).encode())
    fk = subprocess.run(["sqlite3", db, "PRAGMA foreign_key_check"], capture_output=True, text=True)
    if fk.returncode != 0 or fk.stdout.strip():
        finding("foreign_key_check", b"", (fk.stdout + fk.stderr).encode())

    with open(os.path.join(work, "findings.jsonl"), "w", encoding="utf-8") as f:
        for x in findings:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")
    # Grouped by kind and answer (numbers and quoted text masked): one example of each.
    groups = {}
    for x in findings:
        key = (x["kind"], re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", x["output"])[:200])
        groups.setdefault(key, []).append(x)
    for i, ((kind, _), xs) in enumerate(sorted(groups.items(), key=lambda kv: -len(kv[1]))):
        if i == args.show:
            print("... %d more kinds" % (len(groups) - args.show))
            break
        x = min(xs, key=lambda x: x["inputBytes"])
        print("FINDING x%d %s: input (%d bytes) %s\n  -> %s" % (len(xs), kind, x["inputBytes"],
                                                                x["input"][:300], x["output"][:300]))
    if findings:
        print("all findings: %s" % os.path.join(work, "findings.jsonl"))
    by_code = ", ".join("%s %d" % (c, n) for c, n in sorted(codes.items(), key=lambda kv: -kv[1]))
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print("fuzz: wall %.1f s generating, %.1f s in call; cpu %.1f s fuzzer, %.1f s CLI + sqlite3"
          % (t_gen, t_call, me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime))
    print("fuzz: %d requests (seed %d), %d errors by code (%s), %d findings"
          % (total, args.seed, errors, by_code, len(findings)))
    if not args.work and not findings:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
