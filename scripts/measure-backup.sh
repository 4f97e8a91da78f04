#!/usr/bin/env bash
# Side by side on one generated bot data directory (~500 MB: a few SQLite
# databases, many small files, some large ones):
#   steward backup create   vs  tar czf (GNU tar + gzip -6)
#   steward backup restore  vs  tar xzf
#   steward backup verify   throughput
# Medians over RUNS runs, archive sizes, peak RSS, and the ratios.
#
# Usage: scripts/measure-backup.sh [RUNS]   (builds nothing: run
# `cargo build --release -p steward` first, or set STEWARD=/path/to/steward)
set -euo pipefail

RUNS=${1:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
STEWARD=${STEWARD:-$HERE/target/release/steward}
[ -x "$STEWARD" ] || { echo "no steward binary at $STEWARD (cargo build --release -p steward)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed to generate the data" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/measure-backup.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BOT=$WORK/bot
mkdir -p "$BOT"

echo "generating ~500 MB of bot data in $BOT ..."
python3 - "$BOT" <<'PY'
import os, random, sqlite3, sys
root = sys.argv[1]
rnd = random.Random(42)
words = [w.strip() for w in "guild member reminder channel role message welcome ping heartbeat config token prefix owner status reaction emoji voice thread moderation warning ban kick mute level xp rank economy coin shop item inventory".split()]
def text(n):
    return " ".join(rnd.choice(words) for _ in range(n))
os.makedirs(f"{root}/data/guilds", exist_ok=True)
os.makedirs(f"{root}/data/media", exist_ok=True)
os.makedirs(f"{root}/config", exist_ok=True)
with open(f"{root}/config/config.toml", "w") as f:
    f.write('[bot]\nprefix = "!"\n')
with open(f"{root}/bot.py", "w") as f:
    f.write("print('bot')\n" * 200)
# A few SQLite databases (~200 MB together), in WAL mode like a live bot.
for name, rows in (("bot", 600_000), ("economy", 300_000), ("audit", 150_000)):
    db = sqlite3.connect(f"{root}/data/{name}.sqlite3")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, guild TEXT, user TEXT, at TEXT, body TEXT)")
    db.executemany("INSERT INTO events (guild, user, at, body) VALUES (?, ?, ?, ?)",
                   ((str(rnd.randrange(10**17, 10**18)), str(rnd.randrange(10**17, 10**18)),
                     f"2024-{rnd.randrange(1,13):02}-{rnd.randrange(1,29):02}T12:00:00Z", text(30))
                    for _ in range(rows)))
    db.commit()
    db.close()
# Many small files (~60 MB): per-guild JSON settings.
for g in range(12_000):
    with open(f"{root}/data/guilds/{g}.json", "w") as f:
        f.write('{"guild": %d, "welcome": "%s", "notes": "%s"}\n' % (g, text(40), text(rnd.randrange(100, 800))))
# Some large files: logs-like text (~120 MB) and already-compressed media (~100 MB).
with open(f"{root}/data/history.jsonl", "w") as f:
    for i in range(600_000):
        f.write('{"n": %d, "event": "%s"}\n' % (i, text(25)))
for i in range(4):
    with open(f"{root}/data/media/clip{i}.bin", "wb") as f:
        f.write(os.urandom(25 * 1024 * 1024))
PY
DATA_BYTES=$(du -sb "$BOT" | cut -f1)
echo "data: $((DATA_BYTES / 1024 / 1024)) MiB in $(find "$BOT" -type f | wc -l) files"

cat > "$WORK/steward.toml" <<EOF
[bot]
root = "bot"
[backup]
auto_cleanup = false
max_backups = 50
[safety]
min_disk_space_mb = 256
EOF

# Runs a command, prints "seconds peak_rss_kib".
measure() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/err.out" || { cat "$WORK/err.out" >&2; return 1; }
        cat "$WORK/time.out"
    else
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>"$WORK/err.out" || { cat "$WORK/err.out" >&2; return 1; }
        end=$(date +%s.%N)
        echo "$(echo "$end - $start" | bc) 0"
    fi
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

steward() { "$STEWARD" --config "$WORK/steward.toml" "$@"; }

# Warm the page cache so both tools read from memory alike.
cat $(find "$BOT" -type f) >/dev/null

declare -a S_CREATE T_CREATE S_RSS T_RSS S_VERIFY S_RESTORE T_RESTORE S_RRSS T_RRSS S_NV_CREATE
for run in $(seq "$RUNS"); do
    echo "run $run/$RUNS"
    read -r t m < <(measure tar -C "$BOT" -czf "$WORK/tar.tar.gz" .)
    T_CREATE+=("$t"); T_RSS+=("$m")

    read -r t m < <(measure "$STEWARD" --config "$WORK/steward.toml" backup create --json)
    S_CREATE+=("$t"); S_RSS+=("$m")
    ID=$(steward backup list --json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["id"])')
    ARCHIVE=$(steward backup list --json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["file_path"])')

    # Creation without the read-back check (verify_backups = false), as tar does none.
    sed -i 's/^auto_cleanup = false/auto_cleanup = false\nverify_backups = false/' "$WORK/steward.toml"
    read -r t m < <(measure "$STEWARD" --config "$WORK/steward.toml" backup create --json)
    S_NV_CREATE+=("$t")
    sed -i '/^verify_backups = false/d' "$WORK/steward.toml"

    read -r t m < <(measure "$STEWARD" --config "$WORK/steward.toml" backup verify "$ID" --json)
    S_VERIFY+=("$t")

    rm -rf "$WORK/tar-out"; mkdir "$WORK/tar-out"
    read -r t m < <(measure tar -C "$WORK/tar-out" -xzf "$WORK/tar.tar.gz")
    T_RESTORE+=("$t"); T_RRSS+=("$m")
    rm -rf "$WORK/tar-out"

    read -r t m < <(measure "$STEWARD" --config "$WORK/steward.toml" backup restore "$ID" --yes --no-verify --json)
    S_RESTORE+=("$t"); S_RRSS+=("$m")
    rm -rf "$BOT"/.steward-restore-*
done

TAR_SIZE=$(stat -c %s "$WORK/tar.tar.gz")
ST_SIZE=$(stat -c %s "$ARCHIVE")
m() { printf '%s\n' "$@" | median; }
SC=$(m "${S_CREATE[@]}"); TC=$(m "${T_CREATE[@]}"); SNV=$(m "${S_NV_CREATE[@]}")
SR=$(m "${S_RESTORE[@]}"); TR=$(m "${T_RESTORE[@]}"); SV=$(m "${S_VERIFY[@]}")
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
MIB=$((DATA_BYTES / 1024 / 1024))

echo
echo "== $MIB MiB of bot data, $(nproc) cores, medians of $RUNS runs =="
printf '%-44s %8s s   peak RSS %6s MiB\n' "tar czf (GNU tar + gzip -6)" "$TC" "$(( $(m "${T_RSS[@]}") / 1024 ))"
printf '%-44s %8s s   peak RSS %6s MiB   %sx faster\n' "steward backup create (verify_backups on)" "$SC" "$(( $(m "${S_RSS[@]}") / 1024 ))" "$(ratio "$TC" "$SC")"
printf '%-44s %8s s   %sx faster\n' "steward backup create (verify_backups off)" "$SNV" "$(ratio "$TC" "$SNV")"
printf '%-44s %8s MiB\n' "tar.gz size" "$(python3 -c "print(f'{$TAR_SIZE/1048576:.1f}')")"
printf '%-44s %8s MiB   (%s of tar.gz)\n' "steward archive size" "$(python3 -c "print(f'{$ST_SIZE/1048576:.1f}')")" "$(ratio "$ST_SIZE" "$TAR_SIZE")"
printf '%-44s %8s s   peak RSS %6s MiB\n' "tar xzf" "$TR" "$(( $(m "${T_RRSS[@]}") / 1024 ))"
printf '%-44s %8s s   peak RSS %6s MiB   %sx tar xzf time\n' "steward backup restore --no-verify" "$SR" "$(( $(m "${S_RRSS[@]}") / 1024 ))" "$(ratio "$SR" "$TR")"
printf '%-44s %8s s   %s MiB/s of data\n' "steward backup verify" "$SV" "$(python3 -c "print(f'{$MIB/$SV:.0f}')")"
