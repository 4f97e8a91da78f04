#!/usr/bin/env bash
# The service's control socket and its idle cost, measured (never asserted
# in tests):
#  - `steward status --json` through the socket, N calls (default 1000):
#    p50 and p99 wall time per call, each call a whole CLI process as an
#    operator or a script would run it;
#  - the same command without a service (the CLI opening the store), for
#    comparison, N/10 calls;
#  - the idle service after its first background check, which ran the pip
#    and npm providers over the package fixture (scripts/packages-fixture.sh:
#    a virtualenv and a node project, real PyPI and npm registry; OSV is
#    granted and asked when reachable), with the Discord front connected to
#    the tests' fake Discord when its binary is built (else headless; the
#    output says which): RSS (VmRSS, split into RssAnon, RssFile and
#    RssShmem, and by mapping from /proc/PID/smaps) first with the providers
#    still loaded, then once the service unloaded them after a minute
#    unused and let go of the binary's own resident code (its read-only
#    mappings: MADV_DONTNEED where no page was ever written, so any user
#    may drop them; MADV_PAGEOUT for the relocated constants, which the
#    kernel honours only for an owner of the binary); then its CPU share over IDLE seconds
#    (default 60), and what a first `status` through the socket costs
#    after the page-out (its code faulted back in);
#  - a check after the unload (through the socket, as `steward check`
#    runs): its wall time, what reading each provider back from the compile
#    cache took (from the service's debug log), and the next check, still
#    loaded, for comparison.
# Usage: scripts/bench-control.sh [N] [IDLE]   (STEWARD_BIN picks the binary;
# default target/release/steward, else target/debug/steward; FAKE_DISCORD
# the fake's binary, default target/debug/examples/fake-discord, built by
# `cargo build -p steward-tests --example fake-discord`; MALLOC_ARENA_MAX,
# when set, reaches the service and overrides the two malloc arenas `serve`
# limits itself to: MALLOC_ARENA_MAX=16 is glibc's default on two cores)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
N=${1:-1000}
IDLE=${2:-60}
# shellcheck source=scripts/packages-fixture.sh
source "$REPO/scripts/packages-fixture.sh"
BIN=$(realpath "$STEWARD")
echo "binary: $BIN; malloc arenas: ${MALLOC_ARENA_MAX:-2, as serve limits them itself (MALLOC_ARENA_MAX unset)}"

WORK=$(mktemp -d)
SERVE=
DISCORD=
cleanup() {
    [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null || true
    [ -n "$DISCORD" ] && kill "$DISCORD" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
install_fixture "$WORK" > "$WORK/fixture.log" 2>&1 || { cat "$WORK/fixture.log"; exit 1; }
write_config "$WORK/steward.toml" "pip npm"
printf '[providers.apt]\nenabled = false\n[providers.release]\nenabled = false\n[providers.config]\nenabled = false\n' >> "$WORK/steward.toml"

FAKE=${FAKE_DISCORD:-$REPO/target/debug/examples/fake-discord}
if [ -x "$FAKE" ]; then
    mkfifo "$WORK/discord.in"
    "$FAKE" < "$WORK/discord.in" > "$WORK/discord.addr" &
    DISCORD=$!
    exec 9> "$WORK/discord.in" # held open: the fake runs until the script ends
    for _ in $(seq 100); do [ -s "$WORK/discord.addr" ] && break; sleep 0.05; done
    printf '[discord]\napi_base = "%s"\n' "$(head -1 "$WORK/discord.addr")" >> "$WORK/steward.toml"
    export DISCORD_TOKEN=fake-token
    FRONT="the Discord front connected to the tests' fake Discord"
else
    unset DISCORD_TOKEN
    FRONT="headless: no Discord front ($FAKE is not built)"
fi
S() { "$BIN" --config "$WORK/steward.toml" "$@"; }

# percentile P of the numbers on stdin (nearest rank)
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int((p/100)*NR+0.999); if (i<1) i=1; print a[i]}'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

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

STEWARD_LOG=steward=debug "$BIN" --config "$WORK/steward.toml" serve > "$WORK/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 200); do [ -S "$WORK/data/steward.sock" ] && break; sleep 0.05; done
S status > /dev/null
REMOTE=$(time_calls "$N")
echo "through the socket ($N calls): p50 $(echo "$REMOTE" | pct 50) ms, p99 $(echo "$REMOTE" | pct 99) ms"

wait_log() { # PATTERN SECONDS: waits for PATTERN in the service's log
    for _ in $(seq $(($2 * 10))); do
        grep -q "$1" "$WORK/serve.log" && return 0
        sleep 0.1
    done
    echo "the service never logged \"$1\" within $2 s; its log:" >&2
    tail -20 "$WORK/serve.log" >&2
    exit 1
}
if [ -n "$DISCORD" ]; then wait_log "connected to Discord" 60; fi
wait_log "background check done" 300
echo "idle service ($FRONT), after its first background check (pip and npm ran):"

kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SERVE/status"; }
mib() { echo "scale=1; $1 / 1024" | bc; }
memory() { # LABEL: RSS, its split and where it is, by mapping
    echo "  $1: RSS $(mib "$(kib VmRSS)") MiB = anonymous $(mib "$(kib RssAnon)") + file-backed $(mib "$(kib RssFile)") + shared memory $(mib "$(kib RssShmem)") MiB; $(kib Threads) threads"
    # Where the resident memory is, by mapping (/proc/PID/smaps): the heap
    # and other anonymous memory, the binary's own pages, compiled
    # providers (*.cwasm), wasm memory images, and the rest.
    python3 - "$SERVE" "$BIN" <<'PY'
import re, sys
pid, binary = sys.argv[1], sys.argv[2]
groups, top, name, rss = {}, [], None, 0
def close():
    if name is None:
        return
    if name.endswith(".cwasm"): g = "compiled providers (.cwasm)"
    elif "wasm-memory-image" in name: g = "providers' memory images (memfd)"
    elif name == binary: g = "the steward binary (its code and constants)"
    elif name == "[heap]": g = "heap"
    elif name.startswith("[stack"): g = "stacks"
    elif name == "": g = "anonymous (mmap'd heap, thread stacks)"
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
    if kb >= 100:
        print(f"    {kb / 1024:7.1f} MiB  {g}")
PY
}

sleep 5
memory "providers still loaded"
UNLOADS=$(grep -c "unloaded .* idle provider" "$WORK/serve.log" || true)
for _ in $(seq 1800); do
    [ "$(grep -c "unloaded .* idle provider" "$WORK/serve.log" || true)" -gt "$UNLOADS" ] && break
    sleep 0.1
done
sleep 1
memory "providers unloaded after a minute unused, the binary's code paged out"
PAGED=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/serve.log" | grep -o "paged out the binary's idle code: .*" | head -1 || true)
echo "  ${PAGED:-the service logged no page-out}"

ticks() { awk '{print $14 + $15}' "/proc/$SERVE/stat"; }
HZ=$(getconf CLK_TCK)
T0=$(ticks)
sleep "$IDLE"
T1=$(ticks)
echo "  CPU over ${IDLE}s idle: $(echo "scale=3; 100 * ($T1 - $T0) / $HZ / $IDLE" | bc)% of a core; RSS at its end $(mib "$(kib VmRSS)") MiB"

# The first status after the page-out faults its code back in.
T0=$(date +%s%N)
S status --json > /dev/null
T1=$(date +%s%N)
T2=$(date +%s%N)
S status --json > /dev/null
T3=$(date +%s%N)
echo "status through the socket, the first call after the idle page-out: $(echo "scale=1; ($T1 - $T0) / 1000000" | bc) ms; the next: $(echo "scale=1; ($T3 - $T2) / 1000000" | bc) ms (p50 above: $(echo "$REMOTE" | pct 50) ms)"
memory "after that status"

# A check after the unload reads the providers back from the compile cache.
LINES=$(wc -l < "$WORK/serve.log")
T0=$(now_ms)
S check --json > "$WORK/recheck.json"
T1=$(now_ms)
T2=$(now_ms)
S check --json > /dev/null
T3=$(now_ms)
for p in pip npm; do
    jq -e --arg p "$p" '.providers[] | select(.provider == $p) | .error == null' "$WORK/recheck.json" > /dev/null \
        || { echo "the re-check of $p failed: $(jq -c --arg p "$p" '.providers[] | select(.provider == $p)' "$WORK/recheck.json")" >&2; exit 1; }
done
RELOAD=$(tail -n +"$((LINES + 1))" "$WORK/serve.log" | sed 's/\x1b\[[0-9;]*m//g' | grep "loaded its component in" \
    | sed -E 's/.*loaded its component in ([0-9.]+) ms.*provider="?([a-z0-9_-]+)"?.*/\2 \1 ms/' | paste -sd ',' -)
echo "re-check after the unload (pip and npm answered): $((T1 - T0)) ms; reading back from the compile cache: ${RELOAD:-not logged}"
echo "the next check, still loaded: $((T3 - T2)) ms"
memory "after the re-check"
