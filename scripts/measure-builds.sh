#!/usr/bin/env bash
# Two steward builds side by side, same machine, same moment, alternating run
# by run: `steward check --type packages --no-security --json` on the package
# fixture (scripts/packages-fixture.sh, real PyPI and npm registry), pip and
# npm, cold (HTTP cache emptied before each run) and warm (within
# registry_max_age_secs), each build with a data directory of its own whose
# compiled providers are kept. Prints medians and the ratio. For a change
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
    for p in pip npm; do
        write_config "$WORK/$side/$p.toml" "$p"
        sed -i "s|^root = \"bot\"|root = \"$WORK/bot\"|" "$WORK/$side/$p.toml"
    done
done

python3 - "$RUNS" "$WORK" "$BEFORE" "$AFTER" <<'EOF'
import shutil, statistics, subprocess, sys, time
runs, work, before, after = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
builds = {"before": before, "after": after}
def cmd(side, p):
    return [builds[side], "--config", f"{work}/{side}/{p}.toml", "check",
            "--type", "packages", "--no-security", "--json"]
def timed(argv):
    started = time.perf_counter()
    subprocess.run(argv, cwd=f"{work}/bot", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000
for p in ("pip", "npm"):
    for side in builds:  # compiles the providers into each build's cache
        timed(cmd(side, p))
    for state in ("cold", "warm"):
        times = {side: [] for side in builds}
        for _ in range(runs):
            for side in builds:
                if state == "cold":
                    shutil.rmtree(f"{work}/{side}/data/cache/http", ignore_errors=True)
                times[side].append(timed(cmd(side, p)))
        b, a = (statistics.median(times[s]) for s in builds)
        print(f"   {p} {state}: before {b:6.1f} ms, after {a:6.1f} ms "
              f"({b / a:.2f}x; min {min(times['before']):.0f} / {min(times['after']):.0f})")
EOF
