#!/usr/bin/env bash
# `episodes-core call --db FILE`: a JSON-lines script (create an org, a project, list, a bad
# line, an unknown op, and lines after the errors), one response line per request line; the
# resulting file is then readable by the stock sqlite3 CLI. $1 = path to the episodes-core CLI.
set -uo pipefail
cli=${1:?usage: call_jsonl.sh /path/to/episodes-core}
cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")
work=$(mktemp -d /tmp/ec_call_jsonl.XXXXXX)
trap 'rm -rf "$work"' EXIT
db=$work/call.db

# Step 1: create the organization (its ids are needed by the next lines).
out1=$(printf '%s\n' '{"op":"organization.create","params":{"name":"Acme","slug":"acme","ownerEmail":"ada@acme.io","ownerName":"Ada"},"as":{"system":true},"now":"2025-08-15T09:00:00Z"}' |
  "$cli" call --db "$db" --id-seed 7)
rc1=$?
if [[ $rc1 != 0 ]]; then
  echo "FAIL: organization.create exited $rc1: $out1"
  exit 1
fi
as=$(OUT="$out1" python3 -c '
import json, os
r = json.loads(os.environ["OUT"])["result"]
print(json.dumps({"organizationId": r["organization"]["id"], "userId": r["owner"]["id"]}))')

# Step 2: the script, with errors in the middle; later lines must still run.
script=$work/script.jsonl
cat >"$script" <<JSONL
{"op":"project.create","as":$as,"params":{"name":"Weekly digest","cadenceConfig":{"days":["mon","wed"],"time":"09:00"}}}
{"op":"project.list","as":$as,"params":{}}
this is not json

{"op":"project.explode","as":$as,"params":{}}
{"op":"project.create","as":$as,"params":{"name":"","cadenceConfig":{"days":[],"time":"25:00"}}}
{"op":"project.create","as":$as,"params":{"name":"Second","cadenceConfig":{"days":["fri"],"time":"17:30","timezone":"Europe/London"}}}
{"op":"project.list","as":$as,"params":{"orderBy":"name"}}
{"op":"project.list","params":{}}
{"op":"meta.version"}
{"op":"project.list","as":$as,"params":{},"now":"2025-08-15T09:00:00Z"}
JSONL
out=$("$cli" call --db "$db" --id-seed 8 <"$script")
rc=$?
if [[ $rc != 1 ]]; then
  echo "FAIL: call with failing lines should exit 1, got $rc"
  fails=1
fi

SCHEMA_VERSION=$("$cli" schema --history | tail -1 | cut -f1) OUT="$out" python3 - <<'PY' || exit 1
import json, os, sys
lines = os.environ["OUT"].splitlines()
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
# 10 non-blank request lines -> 10 response lines (the blank line is skipped).
check(len(lines) == 10, f"expected 10 response lines, got {len(lines)}: {lines}")
r = [json.loads(l) for l in lines]  # every line is JSON
check(r[0]["ok"] and r[0]["result"]["name"] == "Weekly digest", f"project.create: {r[0]}")
check(r[1]["ok"] and r[1]["result"]["total"] == 1, f"project.list: {r[1]}")
check(not r[2]["ok"] and r[2]["error"]["code"] == "bad_request", f"bad line: {r[2]}")
check("message" in r[2]["error"] and r[2]["error"]["message"], "bad line has a message")
check(not r[3]["ok"] and r[3]["error"]["code"] == "bad_request" and "project.explode" in r[3]["error"]["message"],
      f"unknown op: {r[3]}")
check(not r[4]["ok"] and r[4]["error"]["code"] == "invalid", f"invalid project: {r[4]}")
paths = sorted("/".join(map(str, i["path"])) for i in r[4]["error"].get("issues", []))
check(paths == ["cadenceConfig/days", "cadenceConfig/time", "name"], f"issues: {paths}")
for i in r[4]["error"].get("issues", []):
    check(all(k in i for k in ("path", "code", "message", "params")), f"issue shape: {i}")
check(r[5]["ok"] and r[5]["result"]["cadenceConfig"]["timezone"] == "Europe/London", f"second create: {r[5]}")
check(r[6]["ok"] and [p["name"] for p in r[6]["result"]["items"]] == ["Second", "Weekly digest"], f"list: {r[6]}")
check(not r[7]["ok"] and r[7]["error"]["code"] == "bad_request", f"missing as: {r[7]}")
check(r[8]["ok"] and r[8]["result"]["schemaVersion"] == int(os.environ["SCHEMA_VERSION"]), f"meta.version: {r[8]}")
# Only the system may pick the time of a request.
check(not r[9]["ok"] and r[9]["error"]["code"] == "forbidden" and r[9]["error"]["path"] == ["now"], f"user now: {r[9]}")
for f in fails:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
[[ ${fails:-0} == 0 ]] || exit 1

# Step 3: the file is an ordinary SQLite database.
n=$(sqlite3 "$db" 'select count(*) from projects')
[[ $n == 2 ]] || { echo "FAIL: sqlite3 counts $n projects, want 2"; exit 1; }
n=$(sqlite3 "$db" 'select count(*) from audit_log')
[[ $n == 4 ]] || { echo "FAIL: sqlite3 counts $n audit rows, want 4"; exit 1; }
[[ $(sqlite3 "$db" 'pragma integrity_check') == ok ]] || { echo "FAIL: integrity_check"; exit 1; }
want=$("$cli" schema --history | tail -1 | cut -f1)  # the newest declared version
[[ $(sqlite3 "$db" 'pragma user_version') == "$want" ]] || { echo "FAIL: user_version, want $want"; exit 1; }

# Step 4: a database the CLI cannot open is an error on stderr with exit 1, not a crash.
echo "not sqlite" >"$work/bad.db"
"$cli" call --db "$work/bad.db" </dev/null >/dev/null 2>"$work/err"
rc=$?
[[ $rc == 1 ]] || { echo "FAIL: unopenable db exit $rc, want 1"; cat "$work/err"; exit 1; }
[[ $(cat "$work/bad.db") == "not sqlite" ]] || { echo "FAIL: bad.db was modified"; exit 1; }
# Missing --db is a usage error.
"$cli" call </dev/null >/dev/null 2>&1
rc=$?
[[ $rc == 2 ]] || { echo "FAIL: missing --db exit $rc, want 2"; exit 1; }
echo "call_jsonl: ok"
