#!/usr/bin/env bash
# The re-run of a backup when little or nothing changed: Steward's
# restic-format backups (`[backup] format = "restic"`) side by side with
# restic itself, on one generated bot tree of SIZE_MB (default ~500 MB: one
# SQLite database in WAL mode, about 40% of the bytes; thousands of small
# JSON files; incompressible blobs). After a first backup each (not timed),
#   unchanged re-run              RUNS times, the order alternating
#   re-run after one database row RUNS times: the row written by a
#                                 connection kept open, as a live bot's
#                                 is, so it waits in the -wal
# Medians. With BEFORE=/path/to/an/older/steward that build is measured
# too, in its own repository, in the same rotation (before/after figures
# from one machine and one page cache).
#
# Usage: scripts/measure-backup-rerun.sh [RUNS] [SIZE_MB]   (builds nothing:
# run `cargo build --release -p steward` first, or set STEWARD=...; needs
# restic and python3)
set -euo pipefail

RUNS=${1:-7}
SIZE_MB=${2:-500}
HERE=$(cd "$(dirname "$0")/.." && pwd)
STEWARD=${STEWARD:-$HERE/target/release/steward}
BEFORE=${BEFORE:-}
[ -x "$STEWARD" ] || { echo "no steward binary at $STEWARD (cargo build --release -p steward)" >&2; exit 1; }
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || { echo "BEFORE=$BEFORE is not an executable" >&2; exit 1; }
command -v restic >/dev/null || { echo "restic is needed (apt-get install restic)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed to generate the data" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/measure-rerun.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BOT=$WORK/bot
export STEWARD_BACKUP_PASSWORD=measure-rerun-password
export RESTIC_PASSWORD=$STEWARD_BACKUP_PASSWORD

echo "generating ~$SIZE_MB MB of bot data in $BOT ..."
python3 - "$BOT" "$SIZE_MB" <<'PY'
import os, random, sqlite3, sys
bot, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(2017)
vocab = ("guild user role channel reminder ticket level coin warning thread "
         "emoji voice prefix welcome status poll giveaway queue playlist").split()
say = lambda n: " ".join(rnd.choice(vocab) for _ in range(n))
for sub in ("data/guilds", "data/media", "config"):
    os.makedirs(os.path.join(bot, sub), exist_ok=True)
open(os.path.join(bot, "config/config.toml"), "w").write('[bot]\nprefix = "!"\n')
open(os.path.join(bot, "bot.py"), "w").write("print('bot')\n" * 200)
db = sqlite3.connect(os.path.join(bot, "data/bot.sqlite3"))
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, guild TEXT, body TEXT)")
rows = int(mb * 1800)
db.executemany("INSERT INTO events (guild, body) VALUES (?, ?)",
               ((str(rnd.getrandbits(60)), say(30)) for _ in range(rows)))
db.commit()
db.close()
for g in range(mb * 40):
    with open(os.path.join(bot, f"data/guilds/{g}.json"), "w") as f:
        f.write('{"guild": %d, "notes": "%s"}\n' % (g, say(rnd.randrange(140, 1240))))
for i in range(8):
    with open(os.path.join(bot, f"data/media/clip{i}.bin"), "wb") as f:
        f.write(os.urandom(mb * 52 * 1024))
PY
echo "data: $(( $(du -sb "$BOT" | cut -f1) / 1048576 )) MiB in $(find "$BOT" -type f | wc -l) files, $(nproc) cores"

# One steward.toml per build measured: each its own data dir and repository.
config() {
    mkdir -p "$WORK/$1"
    cat > "$WORK/$1/steward.toml" <<EOF
[bot]
root = "$BOT"
[paths]
data = "data"
[backup]
format = "restic"
backup_path = "repo"
auto_cleanup = false
verify_backups = false
max_backups = 100
[safety]
min_disk_space_mb = 64
EOF
}
TOOLS="after restic"
config after
if [ -n "$BEFORE" ]; then config before; TOOLS="before after restic"; fi
restic -r "$WORK/restic-repo" init >/dev/null

run() {
    case $1 in
        after) "$STEWARD" --config "$WORK/after/steward.toml" backup create --type full --json ;;
        before) "$BEFORE" --config "$WORK/before/steward.toml" backup create --type full --json ;;
        restic) restic -r "$WORK/restic-repo" --cache-dir "$WORK/restic-cache" backup --host measure "$BOT" ;;
    esac
}
seconds() {
    local start end
    start=$(date +%s.%N)
    run "$1" >/dev/null 2>"$WORK/err.out" || { cat "$WORK/err.out" >&2; exit 1; }
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.3f}')"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# The tools in turn, starting one further along each time.
rotation() { local -a t=($TOOLS); local k=$(( $1 % ${#t[@]} )); echo "${t[@]:k}" "${t[@]:0:k}"; }

cat $(find "$BOT" -type f) >/dev/null
for tool in $TOOLS; do run "$tool" >/dev/null 2>&1; done

declare -A SAME ROW
for n in $(seq "$RUNS"); do
    for tool in $(rotation "$n"); do SAME[$tool]+="$(seconds "$tool") "; done
done
for n in $(seq "$RUNS"); do
    # The bot's connection stays open across the backups: the row is not
    # checkpointed into the database file.
    python3 - "$BOT/data/bot.sqlite3" "$n" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("INSERT INTO events (guild, body) VALUES ('1', ?)", (f"row {sys.argv[2]}",))
db.commit()
open(sys.argv[1] + ".written", "w").close()
time.sleep(3600)
PY
    WRITER=$!
    while [ ! -e "$BOT/data/bot.sqlite3.written" ]; do sleep 0.05; done
    rm "$BOT/data/bot.sqlite3.written"
    for tool in $(rotation "$n"); do ROW[$tool]+="$(seconds "$tool") "; done
    kill "$WRITER"; wait "$WRITER" 2>/dev/null || true
done

echo
echo "== medians of $RUNS runs, seconds =="
printf '%-34s' ""; for tool in $TOOLS; do printf '%10s' "$tool"; done; echo
printf '%-34s' "unchanged re-run"; for tool in $TOOLS; do printf '%10s' "$(echo ${SAME[$tool]} | tr ' ' '\n' | median)"; done; echo
printf '%-34s' "re-run after one database row"; for tool in $TOOLS; do printf '%10s' "$(echo ${ROW[$tool]} | tr ' ' '\n' | median)"; done; echo
