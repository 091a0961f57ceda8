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
# Supabase migrations are history (docs/MIGRATIONS.md): every committed file keeps the sha-256
# recorded when it was written, the files are exactly the declared versions' files, in order,
# and the newest equals what the declarations generate (a declaration change that would alter
# it needs a new version in core/schema/history.hpp instead).
if [ -d supabase/migrations ]; then
  if (sha256sum -c --quiet supabase/migrations.sha256) >/tmp/ec-sha.$$ 2>&1; then
    echo "ok: supabase/migrations.sha256 (every committed migration unchanged)"
  else
    echo "DRIFT: a committed migration changed: migrations are history, never rewrite one"; cat /tmp/ec-sha.$$; fail=1
  fi
  rm -f /tmp/ec-sha.$$
  declared=$("$cli" schema --history | cut -f2 | grep -v '^$' | sed 's|^|supabase/migrations/|')
  committed=$(ls supabase/migrations/*.sql)
  listed=$(awk '{print $2}' supabase/migrations.sha256)
  if [ "$declared" != "$committed" ] || [ "$declared" != "$listed" ]; then
    echo "DRIFT: supabase/migrations/*.sql, supabase/migrations.sha256 and core/schema/history.hpp disagree (run scripts/generate.sh):"
    diff <(echo "$declared") <(echo "$committed") || true; fail=1
  else
    echo "ok: supabase/migrations: one file per declared version"
  fi
  IFS=$'\t' read -r version file _ < <("$cli" schema --history | tail -1)
  if [ "$version" -ge 4 ]; then
    if ! diff -u "supabase/migrations/$file" <("$cli" schema --dialect postgres --upgrade-from $((version - 1))) >/tmp/ec-drift.$$ 2>&1; then
      echo "DRIFT: supabase/migrations/$file is not what the declarations generate: a change to the"
      echo "  schema or the PostgreSQL functions needs a new version in core/schema/history.hpp (docs/MIGRATIONS.md)"
      head -40 /tmp/ec-drift.$$; fail=1
    else
      echo "ok: supabase/migrations/$file (the newest, generated)"
    fi
    rm -f /tmp/ec-drift.$$
  fi
fi
exit $fail
