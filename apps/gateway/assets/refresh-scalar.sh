#!/usr/bin/env bash
# Pins the API docs viewer served at /docs: fetches @scalar/api-reference VERSION from npm,
# keeps its standalone browser bundle, its license and version, and rewrites README.md.
# Usage: apps/gateway/assets/refresh-scalar.sh 1.76.0   (or `just docs-viewer 1.76.0`)
set -euo pipefail

version="${1:-}"
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "usage: $0 VERSION (an exact release such as 1.76.0, not a range or a tag)" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/scalar"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# npm pack checks the tarball against the registry's integrity hash.
(cd "$work" && npm pack --silent "@scalar/api-reference@$version" >/dev/null)
tar -xzf "$work/scalar-api-reference-$version.tgz" -C "$work"
pkg="$work/package"
license="$(node -p "require('$pkg/package.json').license")"
if [[ $license != MIT ]]; then
    echo "@scalar/api-reference@$version is licensed '$license', not MIT: review before pinning" >&2
    exit 1
fi
bundle="$pkg/dist/browser/standalone.js"
if [[ ! -f $bundle ]] || ! grep -q "@scalar/api-reference@$version" "$bundle"; then
    echo "no standalone browser bundle of $version at dist/browser/standalone.js" >&2
    exit 1
fi
integrity="$(npm view "@scalar/api-reference@$version" dist.integrity)"

mkdir -p "$dest"
cp "$bundle" "$dest/standalone.js"
# The package ships no license file; keep the committed copy of the repository's MIT license
# unless a release starts shipping its own.
if [[ -f $pkg/LICENSE ]]; then cp "$pkg/LICENSE" "$dest/LICENSE"; fi
printf '%s\n' "$version" >"$dest/VERSION"
sha="$(sha256sum "$dest/standalone.js" | cut -d' ' -f1)"
bytes="$(wc -c <"$dest/standalone.js" | tr -d ' ')"

cat >"$here/README.md" <<README
# Gateway assets

## The API docs viewer (\`scalar/\`)

\`GET /docs\` renders the OpenAPI document with [Scalar](https://github.com/scalar/scalar)'s
API reference. The viewer is pinned and served by the binary itself
(\`GET /docs/assets/scalar-$version.js\`), so the page works without internet and a new
upstream release changes nothing until it is pinned here.

| | |
|---|---|
| package | \`@scalar/api-reference@$version\` (npm) |
| file | \`dist/browser/standalone.js\` → \`scalar/standalone.js\` ($bytes bytes, unmodified) |
| sha256 | \`$sha\` |
| npm integrity | \`$integrity\` |
| license | MIT, \`scalar/LICENSE\` (the bundle keeps its dependencies' license notices) |

To pin another release: \`just docs-viewer VERSION\` (runs \`refresh-scalar.sh\`; needs npm),
then run the docs tests (\`cargo test -p balcao-tests --test it -- docs\`) and commit
\`apps/gateway/assets/\`.
README
echo "pinned @scalar/api-reference@$version: sha256 $sha"
