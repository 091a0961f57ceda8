#!/usr/bin/env bash
# Builds the dashboard (wasm core + Next.js, into web/e2e/.build so a running server is left
# alone) and runs the Playwright end-to-end suite in Debian's Chromium (/usr/bin/chromium; no
# browser is ever downloaded). Prints Playwright's summary and ends with "web-e2e: N passed, N failed".
# Screenshots of every page are kept in web/e2e/screenshots/.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export EC_NEXT_DIST=e2e/.build
bash scripts/run.sh --build-only || { echo "web-e2e: 0 passed, 1 failed"; exit 1; }
cd web
log="$(mktemp)"
npx --no-install playwright test --config e2e/playwright.config.ts --reporter=list 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed="$(grep -oE '^ *[0-9]+ passed' "$log" | grep -oE '[0-9]+' | tail -1)"
failed="$(grep -oE '^ *[0-9]+ failed' "$log" | grep -oE '[0-9]+' | tail -1)"
flaky="$(grep -oE '^ *[0-9]+ flaky' "$log" | grep -oE '[0-9]+' | tail -1)"
rm -f "$log"
passed=$(( ${passed:-0} + ${flaky:-0} ))
failed=${failed:-0}
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "web-e2e: ${passed} passed, ${failed} failed"
exit "$rc"
