#!/usr/bin/env bash
# Installs what the tests need (Node 22, system tools, node_modules), builds, runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
npm test
