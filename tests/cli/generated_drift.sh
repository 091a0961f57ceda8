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
check docs/API.md "$cli" docs --api
if [ -d supabase/migrations ] && "$cli" schema --dialect postgres >/dev/null 2>&1; then
  latest="$(ls supabase/migrations/*.sql | sort | tail -1)"
  check "$latest" "$cli" schema --dialect postgres
fi
exit $fail
