#!/usr/bin/env bash
# `npm run package:all`: what a release publishes, as far as this machine can build it.
#
#   dist-lang/js/       the npm tarball (jsii-pacmak's JavaScript target: `npm pack`)
#   dist-lang/python/   the Python sources, and in dist-lang/python-dist/ the wheel and sdist,
#                       built with Debian's setuptools/build/twine (apt: python3-build twine),
#                       without build isolation: pacmak's own Python build pip-installs its
#                       pinned build requirements from PyPI, which a machine with only the npm
#                       registry and Debian's packages cannot reach.
#   dist-lang/java/, dist-lang/dotnet/, dist-lang/go/
#                       generated sources only (--code-only): building them needs Maven Central,
#                       the .NET SDK and NuGet, and the Go module proxy (see README, Releasing).
#
# Code samples are taken from the rosetta tablet that `npm run docs:check` compiled in strict
# mode; a sample missing from it fails the run instead of being copied untranslated.
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1

[[ -f .jsii ]] || { echo "package: no .jsii assembly: run npm run build first" >&2; exit 1; }
[[ -f .jsii.tabl.json ]] || { echo "package: no rosetta tablet: run npm run docs:check first" >&2; exit 1; }
rm -rf dist-lang
pacmak=(npx jsii-pacmak --no-npmignore --rosetta-tablet .jsii.tabl.json --rosetta-unknown-snippets fail)
"${pacmak[@]}" --code-only --target js --target python --target java --target dotnet --target go

python=/usr/bin/python3   # Debian's interpreter, with Debian's setuptools, build and twine
"$python" -m build --no-isolation --skip-dependency-check --outdir dist-lang/python-dist dist-lang/python >/dev/null
"$python" -m twine check --strict dist-lang/python-dist/*
"$python" -m compileall -q dist-lang/python/src

# The wheel carries the same assembly tarball the npm package is built from.
wheel="$(ls dist-lang/python-dist/*.whl)"
listing="$("$python" -m zipfile -l "$wheel")"
grep -q '_jsii/cdk-glue-connection-test@.*\.jsii\.tgz' <<<"$listing" \
  || { echo "package: $wheel has no jsii assembly tarball" >&2; exit 1; }
echo "package: $(ls dist-lang/js/*.tgz) $(ls dist-lang/python-dist/* | tr '\n' ' ')"
echo "package: sources only for java, dotnet, go: $(ls -d dist-lang/java dist-lang/dotnet/* dist-lang/go/* | tr '\n' ' ')"
