#!/usr/bin/env bash
# Re-create crm/static/vendor/leaflet/ from the npm packages leaflet and leaflet.markercluster.
# Usage: scripts/vendor-leaflet.sh [leaflet-version] [markercluster-version]
# Defaults: the versions in crm/static/vendor/leaflet/VERSION (leaflet is the one Folium expects:
# see folium.folium._default_js). Needs npm (registry access) and tar. See docs/maps.md.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/crm/static/vendor/leaflet"
pinned() { sed -n "s/^$1 //p" "$DEST/VERSION" 2>/dev/null || true; }
LEAFLET="${1:-$(pinned leaflet)}"
CLUSTER="${2:-$(pinned leaflet.markercluster)}"
: "${LEAFLET:=1.9.3}" "${CLUSTER:=1.5.3}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
unpack() {  # npm package name, version, folder to unpack into
  mkdir -p "$WORK/$3"
  (cd "$WORK/$3" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz)
}
unpack leaflet "$LEAFLET" leaflet
unpack leaflet.markercluster "$CLUSTER" cluster

rm -rf "$DEST"
mkdir -p "$DEST/images"
LDIST="$WORK/leaflet/package/dist"
cp "$LDIST/leaflet.js" "$LDIST/leaflet.css" "$DEST/"
cp "$LDIST"/images/*.png "$DEST/images/"
cp "$WORK/leaflet/package/LICENSE" "$DEST/LICENSE-leaflet"
CDIST="$WORK/cluster/package/dist"
cp "$CDIST/leaflet.markercluster.js" "$CDIST/MarkerCluster.css" "$CDIST/MarkerCluster.Default.css" "$DEST/"
cp "$WORK/cluster/package/MIT-LICENCE.txt" "$DEST/LICENSE-leaflet.markercluster"
chmod -R u=rwX,go=rX "$DEST"
{
  echo "leaflet $LEAFLET"
  echo "leaflet.markercluster $CLUSTER"
} > "$DEST/VERSION"

echo "Leaflet $LEAFLET and Leaflet.markercluster $CLUSTER vendored into $DEST ($(du -sh "$DEST" | cut -f1))"
