#!/usr/bin/env bash
# Installs the system libraries Qt 6 needs on Debian/Ubuntu (offscreen and X11/Xvfb), plus fonts:
# DejaVu for Latin/Greek/Cyrillic, Noto CJK so that Chinese/Japanese/Korean names are not boxes.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install Qt's xcb/EGL/fontconfig libraries with your package manager" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libegl1 libgl1 libfontconfig1 libxkbcommon0 libglib2.0-0 libdbus-1-3 fonts-dejavu-core \
  fonts-noto-cjk \
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
  libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1 xvfb xauth >/dev/null
