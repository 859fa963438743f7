#!/usr/bin/env bash
# CI step: generate a TypeScript client from the OpenAPI document and type-check a front end's booking flow with it
# (docs/API-CLIENTS.md). Fails when the document stops describing what a typed client needs.
#
#   1. `app openapi` prints the document /openapi.json serves (no database or configuration needed);
#   2. `npm ci` installs the pinned tools of clients/ts/package-lock.json from the npm registry into
#      clients/ts/node_modules (git-ignored): openapi-typescript, openapi-fetch, typescript;
#   3. openapi-typescript generates clients/ts/src/generated/api.d.ts (git-ignored);
#   4. `tsc --strict --noEmit` checks src/usage.ts (search → info → init → addGuests → payments → status through
#      openapi-fetch, reading typed fields) and src/typed-api.ts (no operation with an untyped JSON request body or
#      success answer).
#
# Usage: scripts/ts-client-check.sh            (needs node ≥ 18 and npm; CARGO overrides the cargo command)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR="$ROOT/clients/ts"
CARGO=${CARGO:-cargo}

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "ts-client-check: $tool not found (Node.js >= 18 with npm is required)" >&2; exit 1; }
done

cd "$ROOT"
echo "ts-client-check: dumping the OpenAPI document (app openapi)" >&2
$CARGO run -q -p app -- openapi >"$DIR/openapi.json"

cd "$DIR"
echo "ts-client-check: npm ci (node $(node --version), npm $(npm --version))" >&2
npm ci --no-audit --no-fund --loglevel=error
rm -rf src/generated
npx --no-install openapi-typescript openapi.json --output src/generated/api.d.ts --default-non-nullable=false
npx --no-install tsc --strict --noEmit -p tsconfig.json

doc_bytes=$(wc -c <openapi.json)
bytes=$(wc -c <src/generated/api.d.ts)
lines=$(wc -l <src/generated/api.d.ts)
ops=$(grep -c 'operationId' openapi.json || true)
echo "ts-client-check: OK: $ops operations; openapi.json $doc_bytes bytes; generated client src/generated/api.d.ts" \
  "$bytes bytes, $lines lines; usage type-checks with tsc --strict --noEmit"
