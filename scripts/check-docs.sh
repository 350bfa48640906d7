#!/usr/bin/env bash
# `npm run docs:check`: every code sample compiles, and API.md is what the code says.
#   1. jsii-rosetta extracts the samples of the assembly (the README, which jsii embeds, and the
#      TSDoc @example blocks) and compiles them in strict mode, with rosetta/default.ts-fixture
#      around the fragments; one that does not compile fails the run. The compiled samples land
#      in .jsii.tabl.json, which `npm run package:all` translates from.
#   2. jsii-docgen regenerates API.md into a scratch file; a difference from the committed one
#      fails the run (fix: `npm run docgen` and commit API.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1

[[ -f .jsii ]] || { echo "docs:check: no .jsii assembly: run npm run build first" >&2; exit 1; }
npx jsii-rosetta extract --strict .jsii

fresh="$(mktemp -d)/API.md"
npx jsii-docgen -o "$fresh"
if ! diff -u API.md "$fresh" >"$fresh.diff"; then
  head -40 "$fresh.diff" >&2
  echo "docs:check: API.md is stale: run \`npm run docgen\` and commit API.md" >&2
  exit 1
fi
echo "docs:check: samples compile (strict) and API.md is current"
