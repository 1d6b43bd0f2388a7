#!/usr/bin/env bash
# Debian packages the project needs: a CJK font (for the flow charts and finance
# charts the bot draws) and fontconfig to find it. Installs only what is missing.
set -euo pipefail
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: no CJK font found and no apt-get; install a Chinese font (e.g. WenQuanYi Micro Hei) for charts" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q --no-install-recommends fonts-wqy-microhei fontconfig >/dev/null 2>&1 \
  || { $sudo apt-get update -q >/dev/null 2>&1 && \
       $sudo apt-get install -y -q --no-install-recommends fonts-wqy-microhei fontconfig >/dev/null; } \
  || echo "warning: could not install fonts-wqy-microhei; charts need a CJK font" >&2
