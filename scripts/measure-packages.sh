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
STEWARD="$REPO/target/release/steward"
[ -x "$STEWARD" ] || STEWARD="$REPO/target/debug/steward"
if [ ! -x "$STEWARD" ]; then
    echo "no steward binary: run 'cargo build --release -p steward' first" >&2
    exit 1
fi
GUESTS="$REPO/target/guests/wasm32-wasip2/release"
if [ ! -f "$GUESTS/steward_provider_pip.wasm" ] || [ ! -f "$GUESTS/steward_provider_npm.wasm" ]; then
    # Without debug info, as host/runtime/build.rs builds them: it only makes the
    # files larger to hash and load.
    (cd "$REPO" && CARGO_PROFILE_RELEASE_DEBUG=false cargo build --release --target wasm32-wasip2 \
        -p steward-provider-pip -p steward-provider-npm --target-dir "$REPO/target/guests")
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
BOT="$WORK/bot"
mkdir -p "$BOT" "$WORK/data/providers"
cp "$GUESTS/steward_provider_pip.wasm" "$WORK/data/providers/pip.wasm"
cp "$GUESTS/steward_provider_npm.wasm" "$WORK/data/providers/npm.wasm"

echo "== building the virtualenv (real PyPI, pinned old versions, no dependencies pulled)"
PY_PINS=(
    requests==2.25.0 urllib3==1.26.5 idna==2.10 certifi==2021.5.30 chardet==4.0.0
    six==1.15.0 python-dateutil==2.8.1 pytz==2021.1 attrs==21.2.0 click==8.0.1
    jinja2==3.0.1 itsdangerous==2.0.1 werkzeug==2.0.1 flask==2.0.1 packaging==21.0
    pyparsing==2.4.7 toml==0.10.1 colorama==0.4.4 tabulate==0.8.9 docutils==0.17
    pygments==2.9.0 python-dotenv==0.19.0 filelock==3.0.12 tqdm==4.61.0
    decorator==4.4.2 soupsieve==2.2 beautifulsoup4==4.9.3 more-itertools==8.8.0
    zipp==3.4.1 cachetools==4.2.2
)
python3 -m venv "$BOT/.venv"
"$BOT/.venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps "${PY_PINS[@]}"
: > "$BOT/requirements.txt"
echo "   $("$BOT/.venv/bin/python" -m pip list --format=freeze --disable-pip-version-check | wc -l) distributions installed"

echo "== building the node project (real npm registry, old versions, caret ranges)"
NPM_PINS=(
    lodash@4.17.0 ms@2.0.0 debug@4.1.0 chalk@4.1.0 commander@8.0.0 semver@7.3.0
    uuid@8.0.0 dotenv@10.0.0 minimist@1.2.0 yargs-parser@20.0.0 ws@8.0.0 async@3.2.0
    moment@2.29.0 dayjs@1.10.0 classnames@2.2.0 escape-html@1.0.0 mime@2.5.0 qs@6.9.0
    cookie@0.4.0 depd@2.0.0 bytes@3.0.0 ini@2.0.0 mkdirp@1.0.0 kleur@4.0.0
    picocolors@1.0.0 nanoid@3.1.0 colorette@1.2.0 fast-deep-equal@3.0.0 deepmerge@4.0.0
)
echo '{"name":"measure-bot","version":"1.0.0","private":true}' > "$BOT/package.json"
(cd "$BOT" && npm install --silent --no-audit --no-fund --save-exact "${NPM_PINS[@]}")
# Caret ranges on the old versions: npm keeps what the lockfile has, so
# `wanted` and `latest` both differ from `current`, as in a real project.
python3 - "$BOT/package.json" <<'EOF'
import json, sys
path = sys.argv[1]
manifest = json.load(open(path))
manifest["dependencies"] = {k: "^" + v for k, v in manifest["dependencies"].items()}
json.dump(manifest, open(path, "w"), indent=2)
EOF
(cd "$BOT" && npm install --silent --no-audit --no-fund)
echo "   $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["dependencies"]))' "$BOT/package.json") dependencies declared"

write_config() { # $1 = file, $2 = which providers ("pip", "npm" or "pip npm")
    {
        printf '[bot]\nroot = "bot"\n\n'
        for p in $2; do
            printf '[providers.%s]\nenabled = true\n[providers.%s.grant]\nread = ["{bot}"]\n' "$p" "$p"
            if [ "$p" = pip ]; then
                printf 'http = ["pypi.org", "api.osv.dev"]\n\n'
            else
                printf 'http = ["registry.npmjs.org", "api.osv.dev"]\n\n'
            fi
        done
        for p in pip npm; do
            case " $2 " in *" $p "*) ;; *) printf '[providers.%s]\nenabled = false\n\n' "$p" ;; esac
        done
    } > "$1"
}
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
