#!/usr/bin/env bash
# Vendors Chart.js (the consultation pages' charts) from the npm registry into
#   ckanext-consultation/ckanext/consultation/assets/vendor/chartjs/
# The committed files are what CKAN serves (webassets "consultation/chart"); this
# script only refreshes them. To move to a newer Chart.js: set VERSION, run the script
# once with TARBALL_SHA256= (it prints the new checksum), check the release notes,
# pin the checksum, run it again and review the diff.
#   bash scripts/vendor_chartjs.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"

PACKAGE=chart.js
VERSION=4.6.1
TARBALL_SHA256=${TARBALL_SHA256-9345dacdf4bb4c5d40321f4b9aafab6fe676d37a534fc0bc2d17c4c4e29c4f00}
DEST=$ROOT/ckanext-consultation/ckanext/consultation/assets/vendor/chartjs

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say "Fetching $PACKAGE@$VERSION from the npm registry"
(cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
tarball=$work/$PACKAGE-$VERSION.tgz
actual=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ -z "$TARBALL_SHA256" ]; then
  say "sha256 of $PACKAGE-$VERSION.tgz: $actual (pin it in TARBALL_SHA256)"
  exit 0
fi
[ "$actual" = "$TARBALL_SHA256" ] || die "checksum mismatch for $PACKAGE-$VERSION.tgz: $actual"

tar -xzf "$tarball" -C "$work" package/dist/chart.umd.min.js package/LICENSE.md
mkdir -p "$DEST"
cp "$work/package/dist/chart.umd.min.js" "$DEST/chart.umd.min.js"
cp "$work/package/LICENSE.md" "$DEST/LICENSE.md"
echo "$PACKAGE $VERSION (npm tarball sha256 $TARBALL_SHA256)" > "$DEST/VERSION.txt"
say "Vendored $PACKAGE $VERSION into ${DEST#"$ROOT"/}"
