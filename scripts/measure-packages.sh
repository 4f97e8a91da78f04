#!/usr/bin/env bash
# Side by side, same machine, same moment: `steward check --type packages --json`
# against `pip list --outdated --format=json` on one virtualenv (>= 25 real
# distributions at older versions, from the real PyPI) and against
# `npm outdated --json` on one project (>= 25 dependencies, from the real npm
# registry). Diffs the outdated sets and prints medians and ratios.
#
# Usage: scripts/measure-packages.sh [RUNS]   (default 7 runs each)
# Needs: python3, npm, network access to PyPI, the npm registry and OSV.
# Uses target/release/steward (else target/debug/steward); builds the two
# providers for wasm32-wasip2 into target/guests when they are missing.
set -euo pipefail

RUNS="${1:-7}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/packages-fixture.sh
source "$REPO/scripts/packages-fixture.sh"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
install_fixture "$WORK"

write_config "$WORK/pip.toml" "pip"
write_config "$WORK/npm.toml" "npm"
write_config "$WORK/both.toml" "pip npm"

# Warm up: compiles the providers into the component cache once, and fills
# Steward's HTTP cache (<data>/cache/http) the way earlier runs of pip fill
# ~/.cache/pip. What the timed runs may reuse from it is up to the
# registries' Cache-Control / ETag headers, exactly as for pip.
"$STEWARD" --config "$WORK/both.toml" check --type packages --json > "$WORK/both.json" || true
CACHED=0
[ -d "$WORK/data/cache/http" ] && CACHED=$(find "$WORK/data/cache/http" -type f | wc -l)
echo "== warm-up done: $CACHED registry answers in steward's HTTP cache"
echo "   (0 means the registry, or a proxy in between, sent no Cache-Control/ETag/Last-Modified:"
echo "    then every steward run asks the registry again, as pip does)"

# Like for like: pip and npm outdated do not ask an advisory database, so the
# timed steward runs do not either (the warm-up above did, for the diff).
STEWARD_PIP=("$STEWARD" --config "$WORK/pip.toml" check --type packages --no-security --json)
STEWARD_NPM=("$STEWARD" --config "$WORK/npm.toml" check --type packages --no-security --json)
PIP_LIST=("$BOT/.venv/bin/python" -m pip list --outdated --format=json --disable-pip-version-check)
NPM_OUTDATED=(npm outdated --json)

"${STEWARD_PIP[@]}" > "$WORK/steward-pip.json" || true
"${STEWARD_NPM[@]}" > "$WORK/steward-npm.json" || true
"${PIP_LIST[@]}" > "$WORK/pip.json" 2>/dev/null
(cd "$BOT" && "${NPM_OUTDATED[@]}" > "$WORK/npm.json") || true # exits 1 when outdated

echo
echo "== same outdated sets?"
python3 - "$WORK" <<'EOF'
import json, re, sys
work = sys.argv[1]
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
def steward(path, name):
    doc = json.load(open(path))
    for p in doc["providers"]:
        if p["provider"] == name:
            if p.get("error"):
                print(f"   steward {name} failed: {p['error']}")
            for w in p.get("warnings", []):
                print(f"   steward {name} warning: {w}")
            return {norm(u["name"]) for u in p["updates"]}
    return set()
ok = True
for name, mine, theirs, tool in [
    ("pip", steward(f"{work}/steward-pip.json", "pip"),
     {norm(p["name"]) for p in json.load(open(f"{work}/pip.json"))}, "pip list --outdated"),
    ("npm", steward(f"{work}/steward-npm.json", "npm"),
     {norm(n) for n in json.load(open(f"{work}/npm.json"))}, "npm outdated"),
]:
    print(f"   {name}: steward {len(mine)} outdated, {tool} {len(theirs)}")
    if mine - theirs:
        print(f"     only steward: {sorted(mine - theirs)}"); ok = False
    if theirs - mine:
        print(f"     only {tool}: {sorted(theirs - mine)}"); ok = False
print("   identical" if ok else "   DIFFERENT")
EOF

echo
echo "== timing, $RUNS runs each, alternating run by run"
# Alternating (steward, tool, steward, tool, ...) puts both under the same
# network conditions; registry latency here drifts by 2x within minutes,
# which back-to-back blocks of runs would book against one side.
alternate() { # prints "median_a median_b" in ms; $1, $2 = commands, run in $BOT
    python3 - "$RUNS" "$BOT" "$1" "$2" <<'EOF'
import shlex, statistics, subprocess, sys, time
runs, cwd = int(sys.argv[1]), sys.argv[2]
commands = [shlex.split(c) for c in sys.argv[3:5]]
times = [[], []]
def timed(cmd):
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000
for cmd in commands:  # one untimed warm-up each
    timed(cmd)
for _ in range(runs):
    for i, cmd in enumerate(commands):
        times[i].append(timed(cmd))
print(*(round(statistics.median(t)) for t in times))
EOF
}
read -r S_PIP T_PIP < <(alternate "${STEWARD_PIP[*]@Q}" "${PIP_LIST[*]@Q}")
read -r S_NPM T_NPM < <(alternate "${STEWARD_NPM[*]@Q}" "${NPM_OUTDATED[*]@Q}")
printf '   %-44s %8s ms\n' "steward check (pip only)" "$S_PIP" "pip list --outdated --format=json" "$T_PIP" \
    "steward check (npm only)" "$S_NPM" "npm outdated --json" "$T_NPM"
python3 - "$S_PIP" "$T_PIP" "$S_NPM" "$T_NPM" <<'EOF'
import sys
s_pip, t_pip, s_npm, t_npm = map(float, sys.argv[1:])
print(f"   pip: steward is {t_pip / s_pip:.1f}x faster (goal >= 10x)")
print(f"   npm: steward is {t_npm / s_npm:.1f}x faster (goal >= 3x)")
EOF
echo "   (timed without OSV, as pip and npm outdated have no advisory look-up;"
echo "    both tools ran warm: steward's HTTP cache and pip's/npm's own caches"
echo "    were filled by the runs before the timed ones)"
