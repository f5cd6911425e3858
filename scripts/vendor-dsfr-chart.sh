#!/usr/bin/env bash
# Re-create crm/static/vendor/dsfr-chart/ from the npm package @gouvfr/dsfr-chart (the State's chart
# components, web components built on Vue and Chart.js): the one bundle of every component, its CSS
# and the licence. Usage: scripts/vendor-dsfr-chart.sh [version]
# Default: the version in crm/static/vendor/dsfr-chart/VERSION. Needs npm (registry access) and
# tar. See docs/dsfr.md.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/crm/static/vendor/dsfr-chart"
VERSION="${1:-$(sed -n 's/^@gouvfr\/dsfr-chart //p' "$DEST/VERSION" 2>/dev/null || true)}"
: "${VERSION:=2.0.4}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "@gouvfr/dsfr-chart@$VERSION" >/dev/null && tar xzf ./*.tgz)

rm -rf "$DEST"
mkdir -p "$DEST"
DIST="$WORK/package/dist/DSFRChart"
cp "$DIST/DSFRChart.js" "$DIST/DSFRChart.css" "$DEST/"
cp "$WORK/package/LICENSE" "$DEST/LICENSE"
chmod -R u=rwX,go=rX "$DEST"
echo "@gouvfr/dsfr-chart $VERSION" > "$DEST/VERSION"

echo "@gouvfr/dsfr-chart $VERSION vendored into $DEST ($(du -sh "$DEST" | cut -f1))"
