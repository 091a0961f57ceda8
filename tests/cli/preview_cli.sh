#!/usr/bin/env bash
# `episodes-core preview`: output shape and exit codes (0 ok, 1 refused input, 2 usage).
# $1 = path to the episodes-core CLI.
set -uo pipefail
cli=${1:?usage: preview_cli.sh /path/to/episodes-core}
fails=0
checks=0

# expect CODE PYTHON_ASSERTION -- ARGS...: runs the CLI, checks the exit code, and evaluates the
# assertion with `out` bound to the parsed stdout JSON (skipped when the assertion is "-").
expect() {
  local want=$1 assertion=$2
  shift 3
  local out rc
  out=$("$cli" preview "$@" 2>/dev/null)
  rc=$?
  checks=$((checks + 1))
  if [[ $rc != "$want" ]]; then
    echo "FAIL (exit $rc, want $want): preview $*"
    echo "$out"
    fails=$((fails + 1))
    return
  fi
  if [[ $assertion != - ]] && ! OUT="$out" python3 -c "
import json, os, sys
out = json.loads(os.environ['OUT'])
sys.exit(0 if ($assertion) else 1)"; then
    echo "FAIL (assertion: $assertion): preview $*"
    echo "$out"
    fails=$((fails + 1))
  fi
}

london='{"days":["sun"],"time":"01:30","timezone":"Europe/London"}'
# Spring forward: 01:30 does not exist on 2025-03-30 and moves to 02:30 BST.
expect 0 "out['ok'] and out['timezone'] == 'Europe/London' and len(out['items']) == 3 and \
out['items'][1] == {'utc': '2025-03-30T01:30:00.000Z', 'local': '2025-03-30T02:30:00+01:00', \
'date': '2025-03-30', 'weekday': 'sun', 'offsetMinutes': 60, 'shifted': True, 'shiftMinutes': 60, \
'ambiguous': False}" -- --cadence "$london" --from 2025-03-20T00:00:00Z --count 3
# Fall back in New York (--tz is the fallback zone): 01:30 happens twice, the first is taken.
expect 0 "out['timezone'] == 'America/New_York' and out['timezoneSource'] == 'owner' and \
out['items'][0]['utc'] == '2025-11-02T05:30:00.000Z' and out['items'][0]['ambiguous']" \
  -- --cadence '{"days":["sun"],"time":"01:30"}' --tz America/New_York --from 2025-10-30T00:00:00Z --count 1
# --until alone: [from, until), from included.
expect 0 "[i['utc'] for i in out['items']] == ['2025-01-06T09:00:00.000Z', '2025-01-08T09:00:00.000Z']" \
  -- --cadence '{"days":["mon","wed"],"time":"09:00"}' --from 2025-01-06T09:00:00Z --until 2025-01-13T09:00:00Z
# --count alone: strictly after from.
expect 0 "out['items'][0]['utc'] == '2025-01-08T09:00:00.000Z' and out['timezone'] == 'UTC'" \
  -- --cadence '{"days":["mon","wed"],"time":"09:00"}' --from 2025-01-06T09:00:00Z --count 1
# Both: whichever ends first.
expect 0 "len(out['items']) == 2" \
  -- --cadence '{"days":["mon","wed"],"time":"09:00"}' --from 2025-01-01T00:00:00Z --until 2025-12-31T00:00:00Z --count 2
# Refused input: every issue at once, exit 1.
expect 1 "not out['ok'] and out['error']['code'] == 'invalid' and \
sorted(i['code'] for i in out['error']['issues']) == \
['duplicate', 'invalid_date', 'invalid_enum', 'invalid_format', 'invalid_time', 'invalid_timezone', \
'invalid_timezone', 'unknown_field'] and \
all(i['path'][0] in ('cadence', 'tz', 'from') for i in out['error']['issues'])" \
  -- --cadence '{"days":["mon","mon","xyz"],"time":"25:00","timezone":"Mars/Base","skipDates":["2025-02-30"],"colour":1}' \
  --tz Nowhere --from yesterday --count 3
expect 1 "out['error']['code'] == 'bad_request'" -- --cadence '{not json' --from 2025-01-01T00:00:00Z --count 1
expect 1 "[i['code'] for i in out['error']['issues']] == ['required', 'required']" \
  -- --cadence '{}' --from 2025-01-01T00:00:00Z --count 1
# Usage errors: exit 2.
expect 2 - -- --cadence "$london" --count 3
expect 2 - -- --cadence "$london" --from 2025-01-01T00:00:00Z
expect 2 - -- --cadence "$london" --from 2025-01-01T00:00:00Z --count 0
expect 2 - -- --cadence "$london" --from 2025-01-01T00:00:00Z --count many
expect 2 - -- --cadence "$london" --from 2025-01-01T00:00:00Z --count 1 --colour red

echo "preview_cli: $checks checks, $fails failures"
[[ $fails == 0 ]]
