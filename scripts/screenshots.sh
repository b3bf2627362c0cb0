#!/usr/bin/env bash
# Makes docs/screenshots/*.png again: starts a throwaway PostgreSQL cluster, migrates and seeds it
# with demo-like calls (scripts/screenshots-seed.sql), then photographs the console under xvfb-run.
# Needs a build with the UI (scripts/setup.sh) and the packages xvfb, xauth, postgresql.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CALLOPS_BUILD_DIR:-$root/build}
out_dir=${1:-$root/docs/screenshots}

cmake --build "$build_dir" --target callops callops_screenshots >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/callops-screenshots.XXXXXX")
envfile=$work/pg.env
cleanup() {
    "$root/tests/support/pg_test_cluster.sh" stop "$envfile" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$root/tests/support/pg_test_cluster.sh" start "$envfile"
# shellcheck disable=SC1090
. "$envfile"
url="postgresql://$CALLOPS_TEST_PGUSER:$CALLOPS_TEST_PGPASSWORD@$CALLOPS_TEST_PGHOST:$CALLOPS_TEST_PGPORT/postgres"

"$build_dir/bin/callops" --migrate --db "$url"
PGPASSWORD=$CALLOPS_TEST_PGPASSWORD "$CALLOPS_TEST_PGBIN/psql" -q -v ON_ERROR_STOP=1 \
    -h "$CALLOPS_TEST_PGHOST" -p "$CALLOPS_TEST_PGPORT" -U "$CALLOPS_TEST_PGUSER" -d postgres \
    -f "$root/scripts/screenshots-seed.sql" >/dev/null

mkdir -p "$out_dir"
USER=maria.lopez LANG=C.UTF-8 xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$build_dir/tests/tools/callops_screenshots" "$url" "$out_dir" EX-24011
