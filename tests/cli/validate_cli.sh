#!/usr/bin/env bash
# `episodes-core validate ENTITY [--mode M] < doc`: exit 0 valid, 1 invalid (issues with path,
# code, message, params), 2 usage (unknown entity, bad mode). $1 = path to the episodes-core CLI.
set -uo pipefail
cli=${1:?usage: validate_cli.sh /path/to/episodes-core}
fails=0
checks=0

# expect WANT_EXIT PY_ASSERTION ENTITY [ARGS...] <<< DOC
expect() {
  local want=$1 assertion=$2 doc=$3
  shift 3
  local out rc
  out=$(printf '%s' "$doc" | "$cli" validate "$@" 2>/dev/null)
  rc=$?
  checks=$((checks + 1))
  if [[ $rc != "$want" ]]; then
    echo "FAIL (exit $rc, want $want): validate $* <<< $doc"
    echo "$out"
    fails=$((fails + 1))
    return
  fi
  if [[ $assertion != - ]] && ! OUT="$out" python3 -c "
import json, os, sys
out = json.loads(os.environ['OUT'])
issues = out.get('issues', [])
shape = all(set(('path', 'code', 'message', 'params')) <= set(i) and isinstance(i['path'], list) for i in issues)
sys.exit(0 if (shape and ($assertion)) else 1)"; then
    echo "FAIL (assertion: $assertion): validate $* <<< $doc"
    echo "$out"
    fails=$((fails + 1))
  fi
}

org='{"id":"0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b","name":"Acme","slug":"acme","plan":"free","dailyCostLimitMicros":50000000,"createdAt":"2025-08-15T09:00:00.000Z","updatedAt":"2025-08-15T09:00:00.000Z"}'
expect 0 'out == {"ok": True}' "$org" Organization
expect 0 'out == {"ok": True}' "$org" Organization --mode record
expect 0 'out == {"ok": True}' '{"name":"P","cadenceConfig":{"days":["mon"],"time":"09:00"}}' Project --mode create
expect 0 'out == {"ok": True}' '{"name":"New"}' Project --mode patch
expect 0 'out == {"ok": True}' '{}' Project --mode patch

# Invalid documents: every issue, with its path.
expect 1 'out["ok"] is False and len(issues) == 1 and issues[0]["path"] == ["slug"] and issues[0]["code"] == "invalid_format"' \
  "${org/\"acme\"/\"Not A Slug\"}" Organization
expect 1 'sorted(i["path"][0] for i in issues) == ["createdAt", "id", "name", "slug", "updatedAt"] and all(i["code"] == "required" for i in issues)' \
  '{}' Organization
expect 1 '{tuple(i["path"]) for i in issues} == {("cadenceConfig", "days", 1), ("cadenceConfig", "time"), ("cadenceConfig", "timezone"), ("colour",)}' \
  '{"name":"P","cadenceConfig":{"days":["mon","mon"],"time":"24:00","timezone":"Mars/Base"},"colour":"red"}' Project --mode create
expect 1 'issues[0]["code"] == "read_only" and issues[0]["path"] == ["id"]' \
  '{"id":"0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b"}' Project --mode patch
expect 1 'any(i["code"] == "invalid_range" and i["path"] == ["quote"] for i in issues)' \
  '{"episodeId":"0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b","blockId":"0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b","startOffset":0,"endOffset":1,"quote":"🚀"}' \
  Highlight --mode create
expect 1 'issues[0]["code"] == "invalid_type" and issues[0]["path"] == []' '[1,2,3]' Organization
expect 1 'any(i["code"] == "too_small" and i["path"] == ["costMicros"] for i in issues)' '{"costMicros":-1}' TokenUsage --mode patch

# Malformed JSON: exit 1 with one issue (not a crash, not a usage error).
expect 1 'len(issues) == 1 and issues[0]["code"] == "invalid_json" and issues[0]["message"]' '{"name":' Organization
expect 1 'len(issues) == 1 and issues[0]["code"] == "invalid_json"' '' Organization
expect 1 'len(issues) == 1 and issues[0]["code"] == "invalid_json"' "$(printf '%*s' 5000 '' | tr ' ' '[')" Organization
expect 1 'len(issues) == 1 and issues[0]["code"] == "invalid_json"' $'{"name":"\xff"}' Organization

# Usage errors: exit 2.
expect 2 - '{}' Spaceship
expect 2 - '{}' organization
expect 2 - '{}'
expect 2 - '{}' Organization Project
expect 2 - '{}' Organization --mode upsert
expect 2 - '{}' Organization --mode

# The unknown-entity message names the known entities on stderr.
err=$(printf '{}' | "$cli" validate Spaceship 2>&1 >/dev/null)
checks=$((checks + 1))
if [[ $err != *Organization* || $err != *Spaceship* ]]; then
  echo "FAIL: unknown entity message: $err"
  fails=$((fails + 1))
fi

echo "validate_cli: $checks checks, $fails failed"
[[ $fails == 0 ]]
