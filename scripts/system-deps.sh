#!/usr/bin/env bash
# Debian packages the project needs; installs only what is missing.
#   always: a CJK font (charts, screenshots) and fontconfig to find it;
#   with "dev": Debian's chromium, which the browser tests drive through Playwright
#   (Playwright's own browser download is not used: `playwright install` needs the internet).
set -euo pipefail
want=()
if ! { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; }; then
  want+=(fonts-wqy-microhei fontconfig)
fi
if [ "${1:-}" = "dev" ] && [ ! -x /usr/bin/chromium ]; then
  want+=(chromium)
fi
[ ${#want[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: cannot install ${want[*]} without apt-get; charts need a CJK font, browser tests need chromium" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null 2>&1 \
  || { $sudo apt-get update -q >/dev/null 2>&1 && \
       $sudo apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null; } \
  || echo "warning: could not install ${want[*]}" >&2
