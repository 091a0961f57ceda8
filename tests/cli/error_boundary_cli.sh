#!/usr/bin/env bash
# Issue 11 items 5 and 7d through the CLI: every `call` input line yields exactly one JSON line
# and the batch goes on (a number JSON cannot hold was an exit 3 with nothing printed); refused
# input exits 1 with error JSON, never 3; every numeric flag is parsed strictly (usage error:
# exit 2, message on stderr). $1 = path to the episodes-core CLI.
set -uo pipefail
cli=${1:?usage: error_boundary_cli.sh /path/to/episodes-core}
cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")
work=$(mktemp -d /tmp/ec_error_boundary.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
checks=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. The issue's batch: two lines in, two JSON lines out, the second one answered.
out=$(printf '%s\n' '{"op":"meta.version","x":1e400}' '{"op":"meta.version"}' | "$cli" call --db "$work/x.sqlite")
rc=$?
checks=$((checks + 1))
[[ $rc == 1 ]] || bad "1e400 batch exited $rc (want 1: one request refused)"
OUT="$out" python3 - <<'PY' || fail=1
import json, os
lines = os.environ["OUT"].split("\n")
assert len(lines) == 2, f"want 2 lines, got {len(lines)}: {lines}"
a, b = (json.loads(l) for l in lines)
assert a["ok"] is False and a["error"]["code"] == "bad_request", a
assert b["ok"] is True and "core" in b["result"], b
PY

# 2. Generated: hostile lines between good ones; N lines in -> N JSON lines out, none internal.
gen=$work/gen.jsonl
python3 - >"$gen" <<'PY'
hostile = ['1e400', '-1e400', '1E999', '[' * 300, '{"op":', '"\xff"', 'nul', '{"op":"meta.version","now":1e400}',
           '{"op":"project.list","as":{"organizationId":1e400,"userId":"x"}}', '{"op":"meta.version"} trailing']
for h in hostile:
    print('{"op":"meta.version"}')
    print(h if h.startswith(('{', '[', '"', 'n')) else '{"op":"meta.version","x":%s}' % h)
print('{"op":"meta.version"}')
PY
n_in=$(wc -l <"$gen")
out=$("$cli" call --db "$work/y.sqlite" <"$gen")
rc=$?
checks=$((checks + 1))
[[ $rc == 1 ]] || bad "generated batch exited $rc (want 1)"
N_IN=$n_in OUT="$out" python3 - <<'PY' || fail=1
import json, os
lines = os.environ["OUT"].split("\n")
assert len(lines) == int(os.environ["N_IN"]), f"{len(lines)} lines out for {os.environ['N_IN']} in"
for i, l in enumerate(lines):
    r = json.loads(l)
    if i % 2 == 0:
        assert r["ok"] is True, (i, r)
    else:
        assert r["ok"] is False and r["error"]["code"] in ("bad_request", "invalid", "forbidden"), (i, r)
PY

# 3. validate: a number JSON cannot hold is an invalid_json issue (exit 1), not internal (3).
out=$(printf '{"name":1e400}' | "$cli" validate Project)
rc=$?
checks=$((checks + 1))
[[ $rc == 1 ]] || bad "validate 1e400 exited $rc (want 1)"
[[ $out == *'"invalid_json"'* ]] || bad "validate 1e400 printed: $out"

# 4. preview --batch: bad lines get one error line each and the batch goes on.
out=$(printf '%s\n' '{"cadence":{"days":["mon"],"time":"09:00"},"from":"2025-01-01T00:00:00Z","count":1e400}' \
  '{"cadence":{"days":["mon"],"time":"09:00"},"from":"2025-01-01T00:00:00Z","count":-1}' \
  '{"cadence":{"days":["mon"],"time":"09:00"},"from":5,"count":1}' \
  '{"cadence":{"days":["mon"],"time":"09:00"},"from":"2025-01-01T00:00:00Z","count":1}' | "$cli" preview --batch)
checks=$((checks + 1))
OUT="$out" python3 - <<'PY' || fail=1
import json, os
lines = [json.loads(l) for l in os.environ["OUT"].split("\n")]
assert len(lines) == 4, lines
for r in lines[:3]:
    assert r["ok"] is False and r["error"]["code"] == "bad_request", r
assert lines[3]["ok"] is True and len(lines[3]["items"]) == 1, lines[3]
PY

# 5. Refused input from arguments/files exits 1 with error JSON, never 3.
"$cli" preview --cadence '{"days":1e400}' --from 2025-01-01T00:00:00Z --count 1 >"$work/o" 2>"$work/e"
rc=$?
checks=$((checks + 1))
[[ $rc == 1 ]] || bad "preview --cadence 1e400 exited $rc (want 1): $(cat "$work/o" "$work/e")"
"$cli" seed --db "$work/s.db" --seed 1 --counts '{"organizations":"x"}' >"$work/o" 2>"$work/e"
rc=$?
checks=$((checks + 1))
[[ $rc == 1 ]] || bad "seed --counts with a string exited $rc (want 1): $(cat "$work/o" "$work/e")"
"$cli" seed --db "$work/s2.db" --seed 1 --counts '{"organizations":1e400}' >"$work/o" 2>"$work/e"
rc=$?
checks=$((checks + 1))
[[ $rc == 1 ]] || bad "seed --counts 1e400 exited $rc (want 1): $(cat "$work/o" "$work/e")"
# A reference date (or counts) whose dataset would leave years 0001-9999: invalid, not internal.
for d in 9999-12-31 0001-01-01; do
  "$cli" seed --db "$work/s3-$d.db" --seed 1 --reference-date "$d" >"$work/o" 2>"$work/e"
  rc=$?
  checks=$((checks + 1))
  [[ $rc == 1 ]] || bad "seed --reference-date $d exited $rc (want 1): $(cat "$work/o" "$work/e")"
done
"$cli" seed --db "$work/s4.db" --seed 1 --counts '{"organizations":1,"users":1,"projects":1,"episodes":1000000}' --quiet >"$work/o" 2>"$work/e"
rc=$?
checks=$((checks + 1))
[[ $rc == 0 ]] || bad "seed of 1,000,000 episodes on one project exited $rc (want 0): $(head -c 400 "$work/o" "$work/e")"

# 6. Every numeric flag: strict, usage error (exit 2 + stderr message), nothing on stdout.
usage_case() {
  local stdin=$1
  shift
  printf '%s' "$stdin" | "$cli" "$@" >"$work/o" 2>"$work/e"
  local rc=$?
  checks=$((checks + 1))
  [[ $rc == 2 ]] || bad "$* exited $rc (want 2)"
  [[ -s $work/e ]] || bad "$* printed no message on stderr"
  [[ ! -s $work/o ]] || bad "$* printed on stdout: $(cat "$work/o")"
}
for v in abc -1 1.5 ' 7' 7x 0x10 18446744073709551616 99999999999999999999999 ''; do
  usage_case '{"op":"meta.version"}' call --db "$work/z.sqlite" --id-seed "$v"   # the issue: abc exited 3
  usage_case '{"op":"meta.version"}' call --db "$work/z.sqlite" --busy-timeout "$v"
  usage_case '' preview --cadence '{"days":["mon"],"time":"09:00"}' --from 2025-01-01T00:00:00Z --count "$v"
  usage_case '' seed --db "$work/q.db" --seed "$v"
done
usage_case '' call --db "$work/z.sqlite" --busy-timeout 3600001
usage_case '' seed --db "$work/q.db" --seed 9007199254740992   # mock.seed's own bound: 2^53-1
usage_case '' preview --cadence '{"days":["mon"],"time":"09:00"}' --from 2025-01-01T00:00:00Z --count 0
usage_case '' preview --cadence '{"days":["mon"],"time":"09:00"}' --from 2025-01-01T00:00:00Z --count 5001
usage_case '' call --db "$work/z.sqlite" --id-seeds 1
# The largest id seed is accepted.
printf '%s\n' '{"op":"meta.version"}' | "$cli" call --db "$work/z.sqlite" --id-seed 18446744073709551615 >/dev/null
rc=$?
checks=$((checks + 1))
[[ $rc == 0 ]] || bad "--id-seed 18446744073709551615 exited $rc"

if [[ $fail != 0 ]]; then exit 1; fi
echo "ok: error boundary CLI ($checks checks)"
