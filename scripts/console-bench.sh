#!/usr/bin/env bash
# Measures the console at a million calls: seeds a throwaway cluster, then runs
# callops_console_bench (first page, more pages, sort, phone search, longest GUI-thread stall).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CALLOPS_BUILD_DIR:-$root/build}
rows=${1:-1000000}

cmake --build "$build_dir" --target callops callops_console_bench >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/callops-bench.XXXXXX")
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
"$build_dir/bin/callops" --migrate --db "$url" >/dev/null 2>&1
PGPASSWORD=$CALLOPS_TEST_PGPASSWORD "$CALLOPS_TEST_PGBIN/psql" -q -v ON_ERROR_STOP=1 -v rows="$rows" \
    -h "$CALLOPS_TEST_PGHOST" -p "$CALLOPS_TEST_PGPORT" -U "$CALLOPS_TEST_PGUSER" -d postgres <<'SQL'
INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name, workflow_state, updated_at, state_changed_at)
SELECT 'EX-' || g, 'Employee ' || g, '+1555' || lpad(g::text, 7, '0'), 'Clinic ' || (g % 50),
       (ARRAY['new', 'ready_to_call', 'retry_pending', 'completed', 'failed', 'calling'])[1 + g % 6],
       now() - (g % 5000 || ' minutes')::interval, now() - (g % 5000 || ' minutes')::interval
FROM generate_series(1, :rows) g;
ANALYZE pending_calls;
SQL
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} QT_LOGGING_RULES="callops.*=false" \
    "$build_dir/tests/tools/callops_console_bench" "$url"
