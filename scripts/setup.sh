#!/usr/bin/env bash
# Sourced by demo.sh, test.sh and .ci/run: Node >= 22 on PATH, the system tools the tests use as
# independent judges (zip, unzip, openssl, chromium), and node_modules matching package-lock.json.
# Idempotent and quiet when everything is already in place.
set -euo pipefail
_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_major" -lt 22 ]; then
  if [ -f "$_root/../shared/tools/node22.sh" ]; then
    # shellcheck disable=SC1091
    source "$_root/../shared/tools/node22.sh"
  else
    _home=${NODE22_HOME:-$HOME/.cache/node22}
    [ -x "$_home/node_modules/.bin/node" ] || npm install --silent --no-save --no-audit --no-fund --prefix "$_home" node@22
    PATH="$(dirname "$(readlink -f "$_home/node_modules/.bin/node")"):$PATH"
    export PATH
  fi
fi

if [ "${MPAK_SKIP_APT:-}" != 1 ]; then
  _need=()
  command -v zip >/dev/null || _need+=(zip)
  command -v unzip >/dev/null || _need+=(unzip)
  command -v openssl >/dev/null || _need+=(openssl)
  command -v git >/dev/null || _need+=(git)
  [ -x /usr/bin/chromium ] || _need+=(chromium)
  if [ ${#_need[@]} -gt 0 ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${_need[*]} (Debian packages)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${_need[@]}" >/dev/null) \
      || echo "setup: could not install ${_need[*]}; the tests that use them will fail" >&2
  fi
fi

# Reinstall node_modules only when package-lock.json changed since the last install.
_stamp="$_root/node_modules/.mpak-lock-sha"
_lock=$(sha256sum "$_root/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$_stamp" ] || [ "$(cat "$_stamp")" != "$_lock" ]; then
  (cd "$_root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$_lock" > "$_stamp"
fi
unset _root _major _need _stamp _lock _home
