#!/usr/bin/env bash
# Regenerates the committed files derived from the C++ declarations (checked for drift by
# tests/cli/generated_drift.sh): TypeScript types, the API reference, the Supabase migration.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/native/episodes-core
[ -x "$cli" ] || bash scripts/build.sh native
"$cli" types --lang ts > web/src/core/types.generated.ts
"$cli" docs --api > docs/API.md
if "$cli" schema --dialect postgres >/dev/null 2>&1 && [ -d supabase/migrations ]; then
  latest="$(ls supabase/migrations/*.sql | sort | tail -1)"
  "$cli" schema --dialect postgres > "$latest"
fi
echo "generated: web/src/core/types.generated.ts docs/API.md ${latest:-}"
