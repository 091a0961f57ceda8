#!/usr/bin/env bash
# The committed generated files must equal what the declarations produce today.
# Regenerate with: scripts/generate.sh
set -euo pipefail
cli="$1"
fail=0
check() {  # check FILE COMMAND...
  local file="$1"; shift
  if ! diff -u "$file" <("$@") >/tmp/ec-drift.$$ 2>&1; then
    echo "DRIFT: $file differs from '$*' (run scripts/generate.sh):"; head -40 /tmp/ec-drift.$$; fail=1
  else
    echo "ok: $file"
  fi
  rm -f /tmp/ec-drift.$$
}
check web/src/core/types.generated.ts "$cli" types --lang ts
check web/src/core/constants.generated.ts "$cli" constants --lang ts
check docs/API.md "$cli" docs --api
# The v2 migration is history (byte-frozen, never regenerated); the v3 upgrade is generated.
if [ -d supabase/migrations ] && "$cli" schema --dialect postgres --upgrade-from 2 >/dev/null 2>&1; then
  check supabase/migrations/20250901090000_episodes_core_v3.sql "$cli" schema --dialect postgres --upgrade-from 2
  if echo "63f4d6c1889204481020f101b0c7b66b52d309ccd1977d1da1957bdc4dc831d9  supabase/migrations/20250815090000_episodes_core_v2.sql" | sha256sum -c --quiet - >/dev/null 2>&1; then
    echo "ok: supabase/migrations/20250815090000_episodes_core_v2.sql (frozen)"
  else
    echo "DRIFT: supabase/migrations/20250815090000_episodes_core_v2.sql changed: it is history, never edit it"; fail=1
  fi
fi
exit $fail
