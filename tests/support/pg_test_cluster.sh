#!/usr/bin/env bash
# Starts or stops the throwaway PostgreSQL cluster the database tests run against.
#   pg_test_cluster.sh start ENVFILE   initdb in a new temp dir, start on a free port, write ENVFILE
#   pg_test_cluster.sh stop ENVFILE    stop the cluster ENVFILE names and delete its directory
# CALLOPS_TEST_PG_OPTIONS adds server options to a cluster a test starts for itself
# (e.g. "-c shared_preload_libraries=pg_cron"); the shared cluster of ctest's fixture has none.
# initdb refuses to run as root: as root the cluster runs as the postgres user.
set -euo pipefail

cmd=${1:?usage: pg_test_cluster.sh start|stop ENVFILE}
envfile=${2:?usage: pg_test_cluster.sh start|stop ENVFILE}

bindir=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then bindir=$dir; break; fi
done
if [ -z "$bindir" ]; then
    echo "pg_test_cluster: PostgreSQL server binaries not found under /usr/lib/postgresql; install the 'postgresql' package" >&2
    exit 1
fi

run_as=()
if [ "$(id -u)" = 0 ]; then
    run_as=(runuser -u postgres --)
fi

stop_cluster() {
    [ -f "$envfile" ] || return 0
    local datadir
    datadir=$(sed -n 's/^CALLOPS_TEST_PGDATA=//p' "$envfile")
    if [ -n "$datadir" ] && [ -d "$datadir/data" ]; then
        "${run_as[@]}" "$bindir/pg_ctl" -D "$datadir/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$datadir"
    fi
    rm -f "$envfile"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case "$cmd" in
start)
    stop_cluster
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/callops-pgtest.XXXXXX")
    chmod 0755 "$tmp"
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)
    printf '%s\n' "$password" > "$tmp/pwfile"
    if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$tmp"; fi
    "${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres --pwfile="$tmp/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 \
        || { cat "$tmp/initdb.log" >&2; exit 1; }
    rm -f "$tmp/pwfile"
    started=""
    for attempt in $(seq 1 20); do
        port=$(( 20000 + (RANDOM % 20000) ))
        port_in_use "$port" && continue
        if "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 -o \
            "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB ${CALLOPS_TEST_PG_OPTIONS:-}" \
            start >/dev/null 2>&1; then
            started=$port
            break
        fi
    done
    if [ -z "$started" ]; then
        echo "pg_test_cluster: could not start PostgreSQL; its log:" >&2
        cat "$tmp/server.log" >&2 || true
        exit 1
    fi
    cat > "$envfile" <<ENV
CALLOPS_TEST_PGHOST=127.0.0.1
CALLOPS_TEST_PGPORT=$started
CALLOPS_TEST_PGUSER=postgres
CALLOPS_TEST_PGPASSWORD=$password
CALLOPS_TEST_PGDATA=$tmp
CALLOPS_TEST_PGBIN=$bindir
ENV
    echo "pg_test_cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$started, data in $tmp"
    ;;
stop)
    stop_cluster
    echo "pg_test_cluster: stopped"
    ;;
*)
    echo "usage: pg_test_cluster.sh start|stop ENVFILE" >&2
    exit 2
    ;;
esac
