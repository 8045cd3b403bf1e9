#!/usr/bin/env bash
# The reference for benches/service/wrk.sh: the same reservation as a Redis Lua script
# (redis_reserve.lua), durable as qm serve is (appendonly, appendfsync always: a write is
# answered once fsynced, concurrent clients share the fsync), driven by redis-benchmark with the
# same 2 threads and 32 connections over 50 SKUs with stock to spare, so that every call writes.
# Needs Debian's redis-server. Usage: benches/service/redis.sh [REQUESTS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
requests=${1:-300000}
dir=$(mktemp -d)
port=16379
redis-server --port "$port" --appendonly yes --appendfsync always --save "" --dir "$dir" \
    --daemonize yes --logfile "$dir/log"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
for i in $(seq 0 49); do
    redis-cli -p "$port" HSET "stock:$(printf %012d "$i")" free 1000000000 reserved 0 >/dev/null
done
sha=$(redis-cli -p "$port" SCRIPT LOAD "$(cat "$here/redis_reserve.lua")")
redis-benchmark -p "$port" -c 32 -n "$requests" -r 50 --threads 2 \
    EVALSHA "$sha" 2 stock:__rand_int__ hold:__rand_int__ 1 2>/dev/null \
    | tr '\r' '\n' | grep -A2 -E "throughput summary|avg +min"
