#!/usr/bin/env bash
# `npm run check:tarball [-- VERSION]`: the packed npm tarball in a fresh app, as a user gets it.
#
# Packs this checkout (which must be built: dist/, the handler and command bundles, .jsii), installs the
# tarball into a new app directory beside exactly aws-cdk-lib@VERSION (default: the version the
# repository develops against) and constructs 10, then runs the README's quick start there with
# the real module resolution (`cdk-glue-connection-test` from node_modules, the handler bundle
# from the tarball) and checks what it synthesized, then runs the command it ships
# (`npx cdk-glue-connection-test --help`). `npm run check:floor` runs it on the floor.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version="${1:-$(node -p "require('./package.json').devDependencies['aws-cdk-lib']")}"
[[ -f .jsii && -f assets/handler/index.js ]] || { echo "check-tarball: build first (npm run build)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/cdk-tarball-${version}-XXXXXX")"
trap 'rm -rf "$work"' EXIT
tarball="$work/$(npm pack --silent --ignore-scripts --pack-destination "$work")"
contents="$(tar -tzf "$tarball")"
for file in package/.jsii package/assets/handler/index.js package/assets/cli/index.js package/dist/index.js; do
  grep -qx "$file" <<<"$contents" || { echo "check-tarball: $tarball has no ${file#package/}" >&2; exit 1; }
done

app="$work/app"
mkdir -p "$app"
cd "$app"
constructs="$(node -p "require('$root/package.json').devDependencies.constructs")"
cat > package.json <<JSON
{ "name": "fresh-app", "private": true,
  "dependencies": { "aws-cdk-lib": "$version", "constructs": "$constructs", "cdk-glue-connection-test": "file:$tarball" } }
JSON
npm install --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
# The quick start as the README writes it: its one `ts nofixture` block.
node -e '
  const readme = require("fs").readFileSync(process.argv[1], "utf8");
  const blocks = [...readme.matchAll(/^```ts nofixture\n([\s\S]*?)^```$/gm)];
  if (blocks.length !== 1) { console.error("check-tarball: want one ts nofixture block in README.md"); process.exit(1); }
  require("fs").writeFileSync("app.ts", blocks[0][1]);
' "$root/README.md"
CDK_OUTDIR="$app/cdk.out" "$root/node_modules/.bin/tsx" app.ts
node -e '
  const t = require(process.argv[1]);
  const v = require("aws-cdk-lib/package.json").version;
  const entries = Object.entries(t.Resources);
  const [testId] = entries.find(([, r]) => r.Type === "Custom::GlueConnectionTest") ?? [];
  const job = entries.find(([, r]) => r.Type === "AWS::Glue::Job")?.[1];
  const handler = entries.find(([id, r]) => r.Type === "AWS::Lambda::Function" && id.startsWith("GlueConnectionTestProviderHandler"))?.[1];
  if (!testId || !job || !(job.DependsOn ?? []).includes(testId) || !handler) {
    console.error("check-tarball: the quick start did not synthesize a connection test gating its job"); process.exit(1);
  }
  console.log(`check-tarball: the packed tarball synthesizes the quick start with aws-cdk-lib ${v} (handler runtime ${JSON.stringify(handler.Properties.Runtime)})`);
' "$app/cdk.out/OrdersPipeline.template.json"
# The command (package.json `bin`), as a user runs it from the installed package.
help="$(npx --no-install cdk-glue-connection-test --help)" || { echo "check-tarball: npx cdk-glue-connection-test --help failed" >&2; exit 1; }
grep -q 'test-connection' <<<"$help" && grep -q 'preflight' <<<"$help" \
  || { echo "check-tarball: npx cdk-glue-connection-test --help does not list test-connection and preflight" >&2; exit 1; }
echo "check-tarball: npx cdk-glue-connection-test --help runs from the packed tarball"
