#!/usr/bin/env bash
# Side by side with the fast tools, same machine, same moment, alternating run
# by run: `steward check --type packages --no-security --json` against
# `uv pip list --outdated` on one virtualenv and against `bun outdated` on one
# node project (the fixture of scripts/measure-packages.sh, real PyPI and npm
# registry). Each pair is timed
#   cold: no HTTP cache on either side (Steward's <data>/cache/http, uv's and
#         Bun's caches emptied before every run; Steward's compiled providers
#         stay, as they do after the first run of an install),
#   warm: the caches of the run before kept (Steward reuses registry answers
#         younger than [runtime] registry_max_age_secs, 300 s by default),
# first with each `steward` run as its own process, then through a running
# `steward serve` (the CLI hands the check to its control socket: the service
# keeps its providers loaded and its connections warm).
# Prints medians of wall time and of peak RSS (/usr/bin/time -v's maximum
# resident set size, else /proc's VmHWM), and diffs the outdated sets.
#
# Usage: scripts/measure-peers.sh [RUNS]   (default 7 runs each)
# Needs: python3, npm, uv (python3 -m pip install --user uv), bun, network.
set -euo pipefail

RUNS="${1:-7}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/packages-fixture.sh
source "$REPO/scripts/packages-fixture.sh"
UV="$(command -v uv || echo "$HOME/.local/bin/uv")"
BUN="$(command -v bun)"
[ -x "$UV" ] || { echo "uv not found: python3 -m pip install --user uv" >&2; exit 1; }
[ -x "$BUN" ] || { echo "bun not found: npm install -g bun" >&2; exit 1; }

WORK="$(mktemp -d)"
SERVE_PID=""
cleanup() {
    [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
BOT="$WORK/bot"
install_fixture "$WORK"
write_config "$WORK/pip.toml" "pip"
write_config "$WORK/npm.toml" "npm"
write_config "$WORK/both.toml" "pip npm"
# Compiles the providers into the component cache once.
"$STEWARD" --config "$WORK/both.toml" check --type packages --no-security --json > /dev/null || true
# An installed Steward has its store (<data>/steward.sled: stored settings,
# grant decisions, sessions); a data directory without one would spare the
# check a cost a real one may pay.
"$STEWARD" --config "$WORK/both.toml" settings list > /dev/null
[ -d "$WORK/data/steward.sled" ] || { echo "no store was made" >&2; exit 1; }

UV_CACHE="$WORK/uv-cache"
BUN_CACHE="$WORK/bun-cache"
HTTP_CACHE="$WORK/data/cache/http"
STEWARD_PIP="$STEWARD --config $WORK/pip.toml check --type packages --no-security --json"
STEWARD_NPM="$STEWARD --config $WORK/npm.toml check --type packages --no-security --json"
UV_LIST="env UV_CACHE_DIR=$UV_CACHE $UV pip list --outdated --format json --python $BOT/.venv/bin/python"
BUN_OUTDATED="env BUN_INSTALL_CACHE_DIR=$BUN_CACHE $BUN outdated"

echo
echo "== same outdated sets?"
$STEWARD_PIP > "$WORK/steward-pip.json" || true
$STEWARD_NPM > "$WORK/steward-npm.json" || true
$UV_LIST > "$WORK/uv.json" 2>/dev/null
(cd "$BOT" && $BUN_OUTDATED > "$WORK/bun.txt" 2>/dev/null) || true
python3 - "$WORK" <<'EOF'
import json, re, sys
work = sys.argv[1]
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
def steward(path, name):
    for p in json.load(open(path))["providers"]:
        if p["provider"] == name:
            if p.get("error"):
                print(f"   steward {name} failed: {p['error']}")
            return {norm(u["name"]) for u in p["updates"]}
    return set()
def bun(path):
    # "| name | current | update | latest |" rows of its table
    names = set()
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] not in ("Package", "") and not set(cells[0]) <= set("-"):
            names.add(norm(cells[0].removesuffix(" (dev)")))
    return names
ok = True
for name, mine, theirs, tool in [
    ("pip", steward(f"{work}/steward-pip.json", "pip"),
     {norm(p["name"]) for p in json.load(open(f"{work}/uv.json"))}, "uv pip list --outdated"),
    ("npm", steward(f"{work}/steward-npm.json", "npm"), bun(f"{work}/bun.txt"), "bun outdated"),
]:
    print(f"   {name}: steward {len(mine)} outdated, {tool} {len(theirs)}")
    if mine - theirs:
        print(f"     only steward: {sorted(mine - theirs)}"); ok = False
    if theirs - mine:
        print(f"     only {tool}: {sorted(theirs - mine)}"); ok = False
print("   identical" if ok else "   DIFFERENT")
EOF

# alternate RUNS LABEL_A "PREP_A" "CMD_A" LABEL_B "PREP_B" "CMD_B": one untimed
# run each, then A, B, A, B, ... Each run's PREP (a shell line, e.g. emptying
# a cache) is untimed. Prints one line per command: median ms, median CPU
# time (user + system of the command and what it ran: unlike wall time, not
# inflated by a loaded machine's queueing), median peak RSS.
alternate() {
    python3 - "$RUNS" "$BOT" "$@" <<'EOF'
import os, resource, shlex, statistics, subprocess, sys, tempfile, time
runs, cwd, *spec = sys.argv[1:]
runs = int(runs)
sides = [spec[i:i + 3] for i in range(0, len(spec), 3)]
timer = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
def cpu_ms():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000
def run(prep, cmd):
    if prep:
        subprocess.run(prep, shell=True, check=True)
    cpu = cpu_ms()
    with tempfile.NamedTemporaryFile("r") as out:
        argv = shlex.split(cmd)
        if timer:
            argv = [timer, "-v", "-o", out.name] + argv
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0
        if not timer:  # poll /proc for VmHWM while it runs
            while child.poll() is None:
                try:
                    for line in open(f"/proc/{child.pid}/status"):
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]))
                except OSError:
                    pass
                time.sleep(0.002)
        child.wait()
        ms = (time.perf_counter() - started) * 1000
        if timer:
            for line in out.read().splitlines():
                if "Maximum resident set size" in line:
                    peak = int(line.split(":")[1])
    return ms, cpu_ms() - cpu, peak / 1024
for _, prep, cmd in sides:
    run(prep, cmd)
results = [([], [], []) for _ in sides]
for _ in range(runs):
    for (_, prep, cmd), (ms, cpu, mib) in zip(sides, results):
        t, c, m = run(prep, cmd)
        ms.append(t); cpu.append(c); mib.append(m)
for (label, _, _), (ms, cpu, mib) in zip(sides, results):
    print(f"   {label:<44} {statistics.median(ms):7.0f} ms  CPU {statistics.median(cpu):5.0f} ms"
          f"  {statistics.median(mib):6.1f} MiB   (min {min(ms):.0f}, max {max(ms):.0f})")
EOF
}

NO_HTTP_CACHE="rm -rf $HTTP_CACHE"
echo
echo "== $RUNS runs each, alternating run by run; median wall time, CPU time, peak RSS"
echo "-- pip, cold"
alternate "steward check (pip), cold" "$NO_HTTP_CACHE" "$STEWARD_PIP" \
    "uv pip list --outdated, cold" "rm -rf $UV_CACHE" "$UV_LIST"
echo "-- pip, warm"
alternate "steward check (pip), warm" "" "$STEWARD_PIP" \
    "uv pip list --outdated, warm" "" "$UV_LIST"
echo "-- npm, cold"
alternate "steward check (npm), cold" "$NO_HTTP_CACHE" "$STEWARD_NPM" \
    "bun outdated, cold" "rm -rf $BUN_CACHE" "$BUN_OUTDATED"
echo "-- npm, warm"
alternate "steward check (npm), warm" "" "$STEWARD_NPM" \
    "bun outdated, warm" "" "$BUN_OUTDATED"

echo
echo "== through a running 'steward serve' (the CLI hands the check to its control socket)"
# One service per provider, each under that provider's configuration, so
# each is compared with its own peer. The service's own CPU time (utime +
# stime, in clock ticks) is read over the warm runs: one untimed and RUNS
# timed checks.
serve_ticks() { awk '{print $14 + $15}' "/proc/$SERVE_PID/stat"; }
for p in pip npm; do
    "$STEWARD" --config "$WORK/$p.toml" serve > "$WORK/serve.log" 2>&1 &
    SERVE_PID=$!
    for _ in $(seq 100); do
        [ -S "$WORK/data/steward.sock" ] && break
        sleep 0.1
    done
    [ -S "$WORK/data/steward.sock" ] || { echo "serve did not start:"; cat "$WORK/serve.log"; exit 1; }
    SERVED="$STEWARD --config $WORK/$p.toml check --type packages --no-security --json"
    $SERVED > /dev/null || true
    if [ "$p" = pip ]; then
        PEER="uv pip list --outdated"; PEER_CACHE="rm -rf $UV_CACHE"; PEER_CMD="$UV_LIST"
    else
        PEER="bun outdated"; PEER_CACHE="rm -rf $BUN_CACHE"; PEER_CMD="$BUN_OUTDATED"
    fi
    echo "-- $p, cold"
    alternate "steward check via serve ($p), cold" "$NO_HTTP_CACHE" "$SERVED" \
        "$PEER, cold" "$PEER_CACHE" "$PEER_CMD"
    echo "-- $p, warm"
    TICKS_BEFORE="$(serve_ticks)"
    alternate "steward check via serve ($p), warm" "" "$SERVED" \
        "$PEER, warm" "" "$PEER_CMD"
    TICKS_AFTER="$(serve_ticks)"
    echo "   (CPU and peak RSS via serve are the CLI client's; the service's own are below)"
    echo "   steward serve CPU per warm check: $(( (TICKS_AFTER - TICKS_BEFORE) * 1000 / $(getconf CLK_TCK) / (RUNS + 1) )) ms"
    grep -E "VmHWM|VmRSS" "/proc/$SERVE_PID/status" | sed 's/^/   steward serve /'
    kill "$SERVE_PID"
    wait "$SERVE_PID" 2>/dev/null || true
    SERVE_PID=""
    rm -f "$WORK/data/steward.sock"
done
