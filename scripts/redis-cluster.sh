#!/usr/bin/env bash
# A local Redis Cluster for tests: 6 nodes (3 primaries, 3 replicas) from redis-server, on
# ports of their own next to the standalone Redis on 6379.
#
#   scripts/redis-cluster.sh start    start it, or reuse a healthy one already running
#   scripts/redis-cluster.sh stop     stop its nodes and delete its data
#   scripts/redis-cluster.sh status   exit 0 when cluster_state is ok and every replica in sync
#   scripts/redis-cluster.sh start-node PORT
#                                     start one node again on its dir (nodes.conf kept), as a
#                                     failover test brings back a primary it killed
#
# REDIS_CLUSTER_PORT (7001) is the first of six consecutive ports; REDIS_CLUSTER_DIR
# (/tmp/ftops-redis-cluster) holds each node's config, log and pid file. cluster-node-timeout
# is short (REDIS_CLUSTER_NODE_TIMEOUT_MS, 2000) so that a failover test's replica takes
# over in seconds. Nothing is persisted (--save "" --appendonly no) unless
# REDIS_CLUSTER_APPENDONLY=yes: then every node keeps an append-only file (appendfsync
# everysec, Redis's default) in its dir, so a node killed and started again comes back with its
# data and its nodes.conf, as a self-run production cluster's node does (the chaos campaigns).
set -euo pipefail

first="${REDIS_CLUSTER_PORT:-7001}"
dir="${REDIS_CLUSTER_DIR:-/tmp/ftops-redis-cluster}"
timeout_ms="${REDIS_CLUSTER_NODE_TIMEOUT_MS:-2000}"
appendonly="${REDIS_CLUSTER_APPENDONLY:-no}"
ports=()
for i in 0 1 2 3 4 5; do ports+=("$((first + i))"); done

state() { redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p'; }

healthy() {
  # Every node answers, says the cluster is ok, and knows 3 primaries and 3 replicas.
  local p roles
  for p in "${ports[@]}"; do
    [ "$(state "$p")" = ok ] || return 1
    roles="$(redis-cli -h 127.0.0.1 -p "$p" cluster nodes 2>/dev/null | awk '$3 !~ /fail/ {print $3}' | sed 's/myself,//' | sort | uniq -c | tr '\n' ' ' | tr -s ' ')"
    [ "$roles" = " 3 master 3 slave " ] || return 1
    # A replica that has not finished its first sync has nothing to take over with: a
    # failover then would lose everything written so far.
    if redis-cli -h 127.0.0.1 -p "$p" role 2>/dev/null | head -1 | grep -q slave; then
      redis-cli -h 127.0.0.1 -p "$p" info replication 2>/dev/null | tr -d '\r' |
        grep -q '^master_link_status:up' || return 1
    fi
  done
}

stop() {
  for p in "${ports[@]}"; do
    redis-cli -h 127.0.0.1 -p "$p" shutdown nosave >/dev/null 2>&1 || true
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do
      redis-cli -h 127.0.0.1 -p "$p" ping >/dev/null 2>&1 || break
      sleep 0.1
    done
  done
  rm -rf "$dir"
}

start_node() {
  mkdir -p "$dir/$1"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$1" \
    --cluster-enabled yes --cluster-config-file "$dir/$1/nodes.conf" \
    --cluster-node-timeout "$timeout_ms" --cluster-replica-validity-factor 0 \
    --save "" --appendonly "$appendonly" --appendfsync everysec --maxmemory-policy noeviction \
    --repl-diskless-sync-delay 0 \
    --dir "$dir/$1" --logfile "$dir/$1/redis.log" --pidfile "$dir/$1/redis.pid"
}

start() {
  if healthy; then
    echo "redis cluster: reusing the healthy one on 127.0.0.1:${first}-${ports[5]}"
    return 0
  fi
  # Half-started or broken leftovers: start from nothing.
  stop
  for p in "${ports[@]}"; do start_node "$p"; done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 50); do
      redis-cli -h 127.0.0.1 -p "$p" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  done
  local nodes=()
  for p in "${ports[@]}"; do nodes+=("127.0.0.1:$p"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log"
  for _ in $(seq 1 200); do
    if healthy; then
      echo "redis cluster: ok on 127.0.0.1:${first}-${ports[5]} (3 primaries, 3 replicas)"
      return 0
    fi
    sleep 0.1
  done
  echo "redis cluster: did not reach cluster_state:ok; see $dir/*/redis.log" >&2
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop; echo "redis cluster: stopped" ;;
  status) healthy ;;
  start-node) start_node "${2:?usage: $0 start-node PORT}" ;;
  *) echo "usage: $0 start|stop|status|start-node PORT" >&2; exit 64 ;;
esac
