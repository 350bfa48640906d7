#!/usr/bin/env bash
# `npm run check:floor [-- VERSION]`: proves the library against one exact aws-cdk-lib release,
# by default the floor of its peer range (package.json peerDependencies, `^2.X.Y` -> 2.X.Y).
#
# A scratch copy of the repository (tracked and untracked files, no node_modules, no build
# output) gets exactly that aws-cdk-lib, so the main node_modules keeps the newest release that
# the rest of the suite runs against. In the copy it then:
#   1. compiles lib/ with jsii (the type check that matters: every API the library uses exists),
#   2. type-checks lambda/, core/ and bin/ with `tsc --strict`,
#   3. runs the construct suites (construct-level jest files; the handler suites do not load
#      aws-cdk-lib, the e2e/fault/fuzz suites run against the newest release only),
#   4. synthesizes the example app with the real `cdk synth`,
#   5. packs the library and runs the README's quick start from the tarball in a fresh app
#      (scripts/check-tarball.sh) with that release.
# Exit status 0 means the release has everything the library uses. Re-run it after adding code
# that may use a newer aws-cdk-lib API; to probe a candidate floor: `npm run check:floor -- 2.190.0`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

peer="$(node -p "require('./package.json').peerDependencies['aws-cdk-lib']")"
version="${1:-${peer#^}}"
if [[ ! "$version" =~ ^2\.[0-9]+\.[0-9]+$ ]]; then
  echo "check-floor: want an exact aws-cdk-lib version such as 2.183.0, got '$version' (peer range '$peer')" >&2
  exit 2
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/cdk-floor-${version}-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - 2>/dev/null | tar -xf - -C "$scratch"
cd "$scratch"

echo "check-floor: aws-cdk-lib@${version} in ${scratch}"
# Exactly that release. cdk-nag and integ-tests-alpha declare newer aws-cdk-lib peers; their
# peer checks are relaxed here only (the example app's cdk-nag checks run in the main suite).
npm pkg set "devDependencies.aws-cdk-lib=${version}"
npm install --prefer-offline --no-audit --no-fund --legacy-peer-deps --loglevel=error >/dev/null
installed="$(node -p "require('aws-cdk-lib/package.json').version")"
[[ "$installed" == "$version" ]] || { echo "check-floor: installed aws-cdk-lib $installed, not $version" >&2; exit 1; }

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1
echo "check-floor: [1/5] jsii compile of lib/"
npm run --silent compile
npm run --silent bundle >/dev/null
echo "check-floor: [2/5] tsc --strict of lambda/, core/ and bin/"
# The test suites are type-checked against the newest release only: they use what users of the
# newest have (cdk-nag 3 through Validations, the glue.Connection L2), which the floor predates.
cat > tsconfig.floor.json <<'JSON'
{ "extends": "./tsconfig.json", "include": ["lib/**/*.ts", "core/**/*.ts", "lambda/**/*.ts", "bin/**/*.ts"] }
JSON
npx tsc --noEmit -p tsconfig.floor.json
echo "check-floor: [3/5] construct suites"
# Every suite that builds stacks with aws-cdk-lib (the handler suites never load it; a new suite
# is included by default), except those that need what only newer releases have. Left out:
#   test/construct/example-app.test.ts, test/construct/compliance.test.ts: cdk-nag 3, which runs through
#     aws-cdk-lib's Validations (2.257); the example app itself is synthesized in step 4;
#   test/aspect/aspect.test.ts: its app is built from aws-cdk-lib's glue.Connection L2, which the
#     floor does not have;
# and by name, in the other suites, the tests of that L2 ("L2") and those that run cdk-nag
# ("cdk-nag"). --ci: never writes a snapshot.
mapfile -t suites < <(grep -rl --include='*.test.ts' --exclude-dir=sim "from 'aws-cdk-lib" test | sort \
  | grep -vxE 'test/(construct/example-app|construct/compliance|aspect/aspect)\.test\.ts')
npx jest --ci --silent "${suites[@]}" --testNamePattern '^(?!.*(L2|cdk-nag))'
echo "check-floor: [4/5] cdk synth of the example app"
out="$scratch/cdk.out.floor"
CDK_DISABLE_VERSION_CHECK=1 AWS_ACCESS_KEY_ID='' AWS_SECRET_ACCESS_KEY='' AWS_PROFILE='' \
  npx cdk synth --quiet --no-notices --output "$out" >/dev/null
node -e '
  const t = require(process.argv[1]);
  const n = Object.values(t.Resources).filter((r) => r.Type === "Custom::GlueConnectionTest").length;
  if (n < 1) { console.error("check-floor: the example app has no Custom::GlueConnectionTest"); process.exit(1); }
  console.log(`check-floor: example app synthesized, ${n} connection test(s)`);
' "$out/OrdersPipeline.template.json"
echo "check-floor: [5/5] the packed tarball in a fresh app"
bash scripts/check-tarball.sh "$version"
echo "check-floor: aws-cdk-lib@${version} has everything the library uses"
