#!/usr/bin/env bash
# The PostgreSQL reference for benches/service/wrk.sh: the same reservation as one PL/pgSQL call
# (postgres_setup.sql), durable as qm serve is (fsync and synchronous_commit on, the defaults: a
# commit is answered once its WAL is flushed, and commits waiting together share the flush),
# driven by pgbench with the same 2 threads and 32 connections over 50 SKUs with stock to spare,
# so that every call writes. A private cluster in a temp folder, on a Unix socket only. Needs
# Debian's postgresql (initdb, pg_ctl, pgbench). Prints pgbench's summary, then the p50 and p99
# of the per-call latencies it logged. Usage: benches/service/postgres.sh [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-10}
bin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: no PostgreSQL under /usr/lib/postgresql" >&2; exit 2; }
dir=$(mktemp -d)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$dir"
as_owner "$bin/initdb" -D "$dir/data" -U qm --auth=trust >/dev/null
trap 'as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses='' -k $dir -c max_connections=64" start >/dev/null
psql() { "$bin/psql" -h "$dir" -U qm -X -q -v ON_ERROR_STOP=1 "$@" postgres; }
psql -f "$here/postgres_setup.sql"
(cd "$dir" && "$bin/pgbench" -h "$dir" -U qm -n -M prepared -c 32 -j 2 -T "$seconds" \
    -f "$here/postgres_reserve.sql" --log --log-prefix=calls postgres)
# Each logged call: client, call, latency µs, script, epoch s, µs.
cat "$dir"/calls.* | awk '{ print $3 }' | sort -n | awk '
    { latency[NR] = $1 }
    END { printf "calls %d  p50 %.2f ms  p99 %.2f ms\n", NR, latency[int(NR * 0.50)] / 1000,
          latency[int(NR * 0.99)] / 1000 }'
# Every call held one unit: the holds and the reserved units agree.
psql -c "SELECT (SELECT count(*) FROM holds) AS holds, (SELECT sum(reserved_units) FROM stock) AS reserved_units"
