#!/usr/bin/env bash
# Two steward builds side by side, same machine, same moment, alternating run
# by run: `steward check --type packages --no-security --json` on the package
# fixture (scripts/packages-fixture.sh, real PyPI and npm registry), pip and
# npm, cold (HTTP cache emptied before each run) and warm (within
# registry_max_age_secs), each build with a data directory of its own whose
# compiled providers are kept. Prints medians of wall time and of CPU time
# (user + system, all threads: what a loaded machine's queueing does not
# inflate the way it does wall time) and their ratios. For a change
# that is not in both: keep a copy of the earlier binary first, e.g.
#   cp target/release/steward /tmp/steward-before; (change, rebuild)
#   scripts/measure-builds.sh /tmp/steward-before target/release/steward
#
# Usage: scripts/measure-builds.sh BEFORE AFTER [RUNS]   (default 9 runs)
set -euo pipefail

BEFORE="$(realpath "$1")"
AFTER="$(realpath "$2")"
RUNS="${3:-9}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
STEWARD_BIN="$AFTER"
# shellcheck source=scripts/packages-fixture.sh
source "$REPO/scripts/packages-fixture.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
install_fixture "$WORK"
# One data directory per build (caches of different builds never mix), the
# same bot and provider files for both.
for side in before after; do
    mkdir -p "$WORK/$side"
    cp -r "$WORK/data" "$WORK/$side/data"
    # Not `p`: write_config loops over `p` itself.
    for provider in pip npm; do
        write_config "$WORK/$side/$provider.toml" "$provider"
        sed -i "s|^root = \"bot\"|root = \"$WORK/bot\"|" "$WORK/$side/$provider.toml"
    done
done

python3 - "$RUNS" "$WORK" "$BEFORE" "$AFTER" <<'EOF'
import resource, shutil, statistics, subprocess, sys, time
runs, work, before, after = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
builds = {"before": before, "after": after}
def cmd(side, p):
    return [builds[side], "--config", f"{work}/{side}/{p}.toml", "check",
            "--type", "packages", "--no-security", "--json"]
def cpu_ms():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000
def timed(argv):
    """Wall and CPU milliseconds of one run."""
    cpu, started = cpu_ms(), time.perf_counter()
    subprocess.run(argv, cwd=f"{work}/bot", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000, cpu_ms() - cpu
for p in ("pip", "npm"):
    for side in builds:  # compiles the providers into each build's cache
        timed(cmd(side, p))
    for state in ("cold", "warm"):
        wall = {side: [] for side in builds}
        cpu = {side: [] for side in builds}
        for _ in range(runs):
            for side in builds:
                if state == "cold":
                    shutil.rmtree(f"{work}/{side}/data/cache/http", ignore_errors=True)
                w, c = timed(cmd(side, p))
                wall[side].append(w)
                cpu[side].append(c)
        b, a = (statistics.median(wall[s]) for s in builds)
        cb, ca = (statistics.median(cpu[s]) for s in builds)
        print(f"   {p} {state}: before {b:6.1f} ms, after {a:6.1f} ms "
              f"({b / a:.2f}x; min {min(wall['before']):.0f} / {min(wall['after']):.0f}); "
              f"CPU before {cb:5.1f} ms, after {ca:5.1f} ms ({cb / ca:.2f}x)")
EOF
