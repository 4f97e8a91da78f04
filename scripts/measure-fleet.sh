#!/usr/bin/env bash
# What fleet mode costs one instance, measured (never asserted in tests):
# `steward serve` on the same demo bot without [fleet] and with [fleet]
# against a local 3-member etcd cluster, alternating, ROUNDS times each
# (default 5): RSS after SETTLE seconds (default 20) and, in fleet mode,
# the instance's TCP connections to etcd and the keys it holds; medians.
# The wave's own timing (request to the whole fleet on the new version,
# against the sum of the instances' transactions) is printed by
#   cargo test -p steward-tests --test fleet a_fleet_install -- --nocapture
# Usage: scripts/measure-fleet.sh [ROUNDS] [SETTLE]   (STEWARD_BIN picks the
# binary; default target/release/steward, else target/debug/steward)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
SETTLE=${2:-20}
BIN=${STEWARD_BIN:-}
if [ -z "$BIN" ]; then
  if [ -x target/release/steward ]; then BIN=target/release/steward; else BIN=target/debug/steward; fi
fi
BIN=$(realpath "$BIN")
echo "binary: $BIN"

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
CLIENT=() PEER=()
for i in 0 1 2; do CLIENT+=("$(free_port)"); PEER+=("$(free_port)"); done
INITIAL="m0=http://127.0.0.1:${PEER[0]},m1=http://127.0.0.1:${PEER[1]},m2=http://127.0.0.1:${PEER[2]}"
for i in 0 1 2; do
  /usr/bin/etcd --name "m$i" --data-dir "$WORK/etcd-m$i" \
    --listen-client-urls "http://127.0.0.1:${CLIENT[$i]}" --advertise-client-urls "http://127.0.0.1:${CLIENT[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${PEER[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${PEER[$i]}" \
    --initial-cluster "$INITIAL" --initial-cluster-state new > "$WORK/etcd-m$i.log" 2>&1 &
  PIDS+=($!)
done
ENDPOINTS="http://127.0.0.1:${CLIENT[0]},http://127.0.0.1:${CLIENT[1]},http://127.0.0.1:${CLIENT[2]}"
for _ in $(seq 100); do ETCDCTL_API=3 etcdctl --endpoints="$ENDPOINTS" put /ready yes >/dev/null 2>&1 && break; sleep 0.2; done

cp -r examples/demo-bot "$WORK/bot"
base() {
  cat <<TOML
[bot]
root = "bot"
[providers.config.grant]
read = ["{bot}"]
[providers.pip]
enabled = false
[providers.npm]
enabled = false
[providers.apt]
enabled = false
[providers.release]
enabled = false
TOML
}
base > "$WORK/alone.toml"
{ base; cat <<TOML
[fleet]
endpoints = ["http://127.0.0.1:${CLIENT[0]}", "http://127.0.0.1:${CLIENT[1]}", "http://127.0.0.1:${CLIENT[2]}"]
name = "measure"
instance = "one"
TOML
} > "$WORK/fleet.toml"
"$BIN" --config "$WORK/alone.toml" status > /dev/null # store made, providers compiled once

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ALONE=() FLEET=() CONNS=() KEYS=()
for round in $(seq "$ROUNDS"); do
  for mode in alone fleet; do
    env -u DISCORD_TOKEN "$BIN" --config "$WORK/$mode.toml" serve > "$WORK/serve-$mode.log" 2>&1 &
    SERVE=$!
    sleep "$SETTLE"
    RSS=$(awk '/VmRSS/ {print $2}' "/proc/$SERVE/status")
    if [ "$mode" = fleet ]; then
      FLEET+=("$RSS")
      CONNS+=("$(ss -tnpH state established 2>/dev/null | grep "pid=$SERVE," | grep -cE ":(${CLIENT[0]}|${CLIENT[1]}|${CLIENT[2]})\b" || true)")
      KEYS+=("$(ETCDCTL_API=3 etcdctl --endpoints="$ENDPOINTS" get --prefix /steward/fleets/measure/ --keys-only | grep -c . || true)")
    else
      ALONE+=("$RSS")
    fi
    kill "$SERVE"; wait "$SERVE" 2>/dev/null || true
    # The lease runs out before the next round registers again.
    sleep 11
  done
  echo "round $round: alone ${ALONE[-1]} KiB, fleet ${FLEET[-1]} KiB, ${CONNS[-1]} connection(s) to etcd, ${KEYS[-1]} key(s)"
done
echo "median RSS without [fleet]: $(printf '%s\n' "${ALONE[@]}" | median) KiB"
echo "median RSS with [fleet]:    $(printf '%s\n' "${FLEET[@]}" | median) KiB"
echo "median TCP connections to etcd per instance: $(printf '%s\n' "${CONNS[@]}" | median)"
