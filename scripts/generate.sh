#!/usr/bin/env bash
# Regenerates the committed files derived from the C++ declarations (checked for drift by
# tests/cli/generated_drift.sh): TypeScript types, the rule constants/states/error codes for
# TypeScript, the API reference, and the newest Supabase migration when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/native/episodes-core
[ -x "$cli" ] || bash scripts/build.sh native
"$cli" types --lang ts > web/src/core/types.generated.ts
"$cli" constants --lang ts > web/src/core/constants.generated.ts
"$cli" docs --api > docs/API.md
# Supabase migrations are history (docs/MIGRATIONS.md): an existing file is never rewritten.
# Only the newest declared version's file (core/schema/history.hpp) is written, and only when it
# does not exist yet; supabase/migrations.sha256 records every committed file (append-only).
written=""
IFS=$'\t' read -r version file _ < <("$cli" schema --history | tail -1)
if [ -n "$file" ] && [ ! -e "supabase/migrations/$file" ]; then
  "$cli" schema --dialect postgres --upgrade-from $((version - 1)) > "supabase/migrations/$file"
  written="supabase/migrations/$file"
fi
for f in supabase/migrations/*.sql; do
  grep -q "  $f\$" supabase/migrations.sha256 2>/dev/null || sha256sum "$f" >> supabase/migrations.sha256
done
echo "generated: web/src/core/types.generated.ts web/src/core/constants.generated.ts docs/API.md ${written}"
