#!/usr/bin/env bash
# Debian/Ubuntu packages that Qt (offscreen and X11), the PDF checks and the
# screenshot tooling need. Installs what is missing when run as root (CI, a
# fresh machine); otherwise prints the apt-get line to run with sudo.
set -eu
pkgs="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0
      libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 poppler-utils qpdf"
command -v dpkg >/dev/null 2>&1 || { echo "(not Debian/Ubuntu: install Qt's runtime libraries, poppler-utils and qpdf yourself)"; exit 0; }
missing=""
for p in $pkgs; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "Missing system packages; run: sudo apt-get install$missing"
fi
