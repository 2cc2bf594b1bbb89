#!/usr/bin/env bash
# The main job on the embedded default: no network, no configuration. Installs what it needs, builds,
# then runs the whole loop on the shipped examples (see scripts/demo.js).
set -euo pipefail
cd "$(dirname "$0")/.."
MPAK_SKIP_APT=${MPAK_SKIP_APT:-1} source scripts/setup.sh
npm run build --silent >&2
node scripts/demo.js "$@"
