#!/usr/bin/env bash
# The test command of the README: installs, builds, runs every ctest suite (a throwaway
# PostgreSQL cluster included), then builds core and the headless program without Qt Widgets to
# prove core never needs them.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"

export CCACHE_BASEDIR=$root
ctest --test-dir "$root/build" --output-on-failure -j2 -LE soak

echo "test: headless build (CALLOPS_BUILD_UI=OFF)"
cmake -S "$root" -B "$root/build-headless" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCALLOPS_BUILD_UI=OFF -DCALLOPS_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-headless" --target callops
