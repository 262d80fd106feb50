#!/usr/bin/env bash
# A .deb of the built one-folder bundle (dpkg-deb), for Debian-family desktops
# (Debian, Ubuntu, deepin / 统信 UOS, 麒麟 Kylin):
#   /opt/cadre-desk/                 the bundle (cadre-desk, cadre-desk-selftest, _internal/)
#   /usr/bin/cadre-desk              -> /opt/cadre-desk/cadre-desk
#   /usr/share/applications/cadre-desk.desktop, hicolor icon (SVG)
# Depends on libc6 at least the bundle's glibc floor (packaging/glibc_floor.py)
# and on the few system libraries PyInstaller leaves out (GL/EGL, libxcb).
#
#   bash packaging/build-deb.sh [BUNDLE_DIR] [OUT_DIR]     # defaults: dist/cadre-desk, dist/
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
BUNDLE="$(cd "${1:-$SRC/dist/cadre-desk}" && pwd)"
OUT="$(mkdir -p "${2:-$SRC/dist}" && cd "${2:-$SRC/dist}" && pwd)"
[[ -x "$BUNDLE/cadre-desk" ]] || { echo "no bundle at $BUNDLE: run make bundle first" >&2; exit 1; }
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$SRC/pyproject.toml" | head -1)
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
GLIBC=$(python3 "$SRC/packaging/glibc_floor.py" "$BUNDLE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["glibc"])')
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/DEBIAN"
cp -a "$BUNDLE" "$STAGE/opt/cadre-desk"
ln -s /opt/cadre-desk/cadre-desk "$STAGE/usr/bin/cadre-desk"
install -m 644 "$SRC/packaging/cadre-desk.desktop" "$STAGE/usr/share/applications/cadre-desk.desktop"
install -m 644 "$SRC/packaging/cadre-desk.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/cadre-desk.svg"
SIZE=$(du -sk "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: cadre-desk
Version: $VERSION
Architecture: $ARCH
Maintainer: Cadre Desk developers <cadre-desk@localhost>
Installed-Size: $SIZE
Depends: libc6 (>= $GLIBC), libgl1, libegl1, libxcb1, libfontconfig1
Section: misc
Priority: optional
Homepage: https://localhost/cadre-desk
Description: 帮扶工作台 - offline employment assistance for village cadres
 Cadre Desk keeps a county's register of poor households and their members,
 the survey, job openings and recommendations, visits, measures and subsidies,
 prints the handbook and policy booklet, and syncs cadres' laptops with the
 county office by files. Everything works offline; one SQLite file per device.
CONTROL
cat > "$STAGE/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
exit 0
POSTINST
chmod 755 "$STAGE/DEBIAN/postinst"
DEB="$OUT/cadre-desk_${VERSION}_${ARCH}.deb"
# xz: 105 MB, ~12 min on a busy 2-core machine; DEB_COMPRESS=gzip: ~145 MB in about a minute.
dpkg-deb --root-owner-group "-Z${DEB_COMPRESS:-xz}" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB ($(du -h "$DEB" | cut -f1), needs glibc >= $GLIBC)"
