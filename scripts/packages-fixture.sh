# The package fixture the measure scripts share (sourced, needs $REPO): the
# steward binary ($STEWARD, release else debug), the pip and npm guests, and
# `install_fixture WORK`, which lays out WORK/bot with a virtualenv of 30 real
# distributions and a node project of 29 dependencies at old versions, and
# WORK/data/providers; `write_config FILE "pip npm"` writes a config for them.

# STEWARD_BIN picks another binary (e.g. a copy of an earlier build, to
# compare two builds under the same conditions).
STEWARD="${STEWARD_BIN:-$REPO/target/release/steward}"
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

install_fixture() { # $1 = work directory; sets BOT
    local WORK="$1"
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
}

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
