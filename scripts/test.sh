#!/usr/bin/env bash
# The test command of the README: installs, builds, runs every ctest suite (a throwaway
# PostgreSQL cluster included), then builds core and the headless program without Qt Widgets to
# prove core never needs them, then runs the unit, db (engine) and fuzz suites again built with
# AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"

export CCACHE_BASEDIR=$root
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
ctest --test-dir "$root/build" --output-on-failure -j2 -LE soak

echo "test: headless build (CALLOPS_BUILD_UI=OFF)"
cmake -S "$root" -B "$root/build-headless" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCALLOPS_BUILD_UI=OFF -DCALLOPS_BUILD_TESTS=OFF >/dev/null
cmake --build "$root/build-headless" --target callops

# Sanitizers: no widgets (the console's tests run in the main build), only the test targets of
# the unit, db, engine and fuzz labels. -O1 keeps the instrumented build and its run quick. Any ASan,
# LeakSanitizer or UBSan finding fails the test it happens in (options in tests/CMakeLists.txt).
echo "test: AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan)"
asan_start=$SECONDS
cmake -S "$root" -B "$root/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
    -DCALLOPS_SANITIZE=ON -DCALLOPS_BUILD_UI=OFF >/dev/null
cmake --build "$root/build-asan" --target tests_unit tests_db tests_engine tests_fuzz
ctest --test-dir "$root/build-asan" --output-on-failure -j2 -L "unit|db|engine|fuzz" -LE soak
echo "test: sanitizer build and run took $((SECONDS - asan_start)) s"
