#!/usr/bin/env bash
# The service's control socket and its idle cost, measured (never asserted
# in tests):
#  - `steward status --json` through the socket, N calls (default 1000):
#    p50 and p99 wall time per call, each call a whole CLI process as an
#    operator or a script would run it;
#  - the same command without a service (the CLI opening the store), for
#    comparison, N/10 calls;
#  - the idle service: RSS and CPU share over IDLE seconds (default 60)
#    after its first background check, from /proc/PID/status and stat.
# Usage: scripts/bench-control.sh [N] [IDLE]   (STEWARD_BIN picks the binary;
# default target/release/steward, else target/debug/steward)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
IDLE=${2:-60}
BIN=${STEWARD_BIN:-}
if [ -z "$BIN" ]; then
  if [ -x target/release/steward ]; then BIN=target/release/steward; else BIN=target/debug/steward; fi
fi
BIN=$(realpath "$BIN")
echo "binary: $BIN"

WORK=$(mktemp -d)
trap 'kill $SERVE 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp -r examples/demo-bot "$WORK/bot"
cat > "$WORK/steward.toml" <<TOML
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
S() { "$BIN" --config "$WORK/steward.toml" "$@"; }

# percentile P of the numbers on stdin (nearest rank)
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int((p/100)*NR+0.999); if (i<1) i=1; print a[i]}'; }

time_calls() { # COUNT -> one duration in ms per line
  for _ in $(seq "$1"); do
    local t0 t1
    t0=$(date +%s%N)
    S status --json > /dev/null
    t1=$(date +%s%N)
    echo "scale=3; ($t1 - $t0) / 1000000" | bc
  done
}

S status > /dev/null # the store exists, providers compiled once
LOCAL=$(time_calls $((N / 10)))
echo "without a service ($((N / 10)) calls): p50 $(echo "$LOCAL" | pct 50) ms, p99 $(echo "$LOCAL" | pct 99) ms"

env -u DISCORD_TOKEN "$BIN" --config "$WORK/steward.toml" serve > "$WORK/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 200); do [ -S "$WORK/data/steward.sock" ] && break; sleep 0.05; done
S status > /dev/null
REMOTE=$(time_calls "$N")
echo "through the socket ($N calls): p50 $(echo "$REMOTE" | pct 50) ms, p99 $(echo "$REMOTE" | pct 99) ms"

# The first background check runs 5 s after start; idle after it.
sleep 8
ticks() { awk '{print $14 + $15}' "/proc/$SERVE/stat"; }
HZ=$(getconf CLK_TCK)
T0=$(ticks)
sleep "$IDLE"
T1=$(ticks)
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SERVE/status"; }
RSS=$(kib VmRSS)
echo "idle service over ${IDLE}s: RSS $((RSS / 1024)) MiB, CPU $(echo "scale=3; 100 * ($T1 - $T0) / $HZ / $IDLE" | bc)% of a core"
# What the RSS is: the heap and other anonymous memory Steward controls,
# and the pages of the binary itself (most of a debug build's RSS).
echo "  of which anonymous $(($(kib RssAnon) / 1024)) MiB, file-backed (the binary, libraries) $(($(kib RssFile) / 1024)) MiB; $(kib Threads) threads"
# Where the resident memory is, by mapping (/proc/PID/smaps): the heap and
# other anonymous memory, the binary's own pages, compiled providers
# (*.cwasm), and the rest; the five largest mappings named.
python3 - "$SERVE" <<'PY'
import re, sys
pid = sys.argv[1]
groups, top, name, rss = {}, [], None, 0
def close():
    if name is None:
        return
    if name.endswith(".cwasm"): g = "compiled providers (.cwasm)"
    elif "/steward" in name and not name.endswith(".cwasm") and "/data/" not in name: g = "the steward binary"
    elif name == "[heap]": g = "heap"
    elif name.startswith("[stack"): g = "stacks"
    elif name == "": g = "anonymous (mmap'd heap, thread stacks, code)"
    elif ".so" in name: g = "shared libraries"
    else: g = "other (" + name + ")"
    groups[g] = groups.get(g, 0) + rss
    top.append((rss, name or "[anon]"))
for line in open(f"/proc/{pid}/smaps"):
    m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
    if m:
        close(); name, rss = m.group(1).strip(), 0
    elif line.startswith("Rss:"):
        rss = int(line.split()[1])
close()
for g, kb in sorted(groups.items(), key=lambda x: -x[1]):
    print(f"  {kb / 1024:7.1f} MiB  {g}")
print("  largest mappings: " + ", ".join(f"{n} {kb / 1024:.1f} MiB" for kb, n in sorted(top, reverse=True)[:5]))
PY
