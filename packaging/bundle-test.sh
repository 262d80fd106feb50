#!/usr/bin/env bash
# Build the one-folder bundle in a clean venv, then check it from the bundle
# alone: no source tree as working directory, no venv on PATH, a minimal
# environment (env -i). Run by `make bundle-test` and by .ci/run when
# CADRE_DESK_BUNDLE_TEST=1. Prints each step's time and, at the end, the
# bundle's size, its glibc floor and cold/warm start to a painted window.
#
#   bash packaging/bundle-test.sh            # work in a new temporary folder
#   BUNDLE_TEST_DIR=/var/tmp/bt bash packaging/bundle-test.sh
#   BUNDLE_TEST_REUSE=1 ...                  # reuse the venv and bundle already in BUNDLE_TEST_DIR
set -euo pipefail
SRC="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="${BUNDLE_TEST_DIR:-$(mktemp -d /var/tmp/cadre-desk-bundle-test.XXXXXX)}"
mkdir -p "$WORK"
T0=$(date +%s)
step() { echo "== [$(( $(date +%s) - T0 ))s] $*"; }
fail() { echo "BUNDLE TEST FAILED: $*" >&2; exit 1; }

if [[ "${BUNDLE_TEST_REUSE:-0}" != 1 || ! -x "$WORK/app/cadre-desk/cadre-desk" ]]; then
  step "clean venv in $WORK/venv"
  rm -rf "$WORK/venv" "$WORK/dist" "$WORK/build" "$WORK/app"
  "$PYTHON" -m venv "$WORK/venv"
  "$WORK/venv/bin/python" -m pip install -q --upgrade pip
  # The app's own dependencies, the exporter's (DuckDB) and PyInstaller; not the
  # test tools. PyInstaller analyses the source tree itself (build.spec's pathex).
  "$WORK/venv/bin/python" -m pip install -q "$SRC[build,warehouse]"
  step "pyinstaller build.spec"
  (cd "$SRC" && "$WORK/venv/bin/pyinstaller" --noconfirm --log-level WARN \
      --distpath "$WORK/dist" --workpath "$WORK/build" build.spec)
  mkdir -p "$WORK/app" && mv "$WORK/dist/cadre-desk" "$WORK/app/"
fi
APP="$WORK/app/cadre-desk"
RUN="$WORK/run"
rm -rf "$RUN" && mkdir -p "$RUN/home"
cd "$RUN"
# Nothing of the source tree or a venv is reachable: a bare environment.
# Databases the commands create are encrypted; the county's scripts sign in from
# the environment, and so does this test.
export CADRE_DESK_USER=县就业办测试 CADRE_DESK_PASSWORD=bundle-test-2026
creds=(CADRE_DESK_USER="$CADRE_DESK_USER" CADRE_DESK_PASSWORD="$CADRE_DESK_PASSWORD")
bundle_bare() { env -i HOME="$RUN/home" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$APP/$1" "${@:2}"; }
bundle() { env -i HOME="$RUN/home" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "${creds[@]}" "$APP/$1" "${@:2}"; }
# Looking inside an encrypted database from the test (the bundle has no Python
# prompt): the clean venv's drivers with the source tree's library. Only these
# look-ups use the source; every step under test runs the bundle alone.
query() { PYTHONPATH="$SRC" "$WORK/venv/bin/python" -c 'import sys
from cadre_desk.storage import open_store
s = open_store(sys.argv[1]); print(s.db.execute(sys.argv[2]).fetchone()[0])' "$@"; }
cd_ok() { [[ "$(pwd)" != "$SRC"* ]] || fail "running inside the source tree"; }
cd_ok

step "window on a new database paints"
out=$(bundle_bare cadre-desk-selftest --db "$RUN/new.db" --png "$RUN/window.png") || fail "selftest: $out"
echo "$out"
grep -q '"window": "FirstStartPage"' <<<"$out" || fail "no first-start page: $out"
[[ ! -e "$RUN/new.db" ]] || fail "the first-start page created a database before a choice"
[[ -s "$RUN/window.png" ]] || fail "no screenshot"

step "--help"
out=$(bundle cadre-desk --help) || fail "--help"
grep -q "帮扶工作台" <<<"$out" && grep -q "export-warehouse" <<<"$out" || fail "--help text: $out"

step "demo + stats --json"
bundle cadre-desk --db "$RUN/county.db" demo --households 300 --seed 7 --as-of 2020-04-30 >/dev/null || fail demo
out=$(bundle cadre-desk --db "$RUN/county.db" stats --json --as-of 2020-04-30) || fail stats
python3 -c 'import json,sys; f=json.loads(sys.argv[1]); assert f["households"] == 300 and f["working_age_able"] > 0 and f["employed"] > 0, f' "$out" \
  || fail "stats: $out"

step "handbook PDF with the embedded Chinese font"
number=$(query "$RUN/county.db" "SELECT number FROM households WHERE deleted=0 ORDER BY number LIMIT 1")
bundle cadre-desk --db "$RUN/county.db" handbook "$number" -o "$RUN/x.pdf" --as-of 2020-04-30 >/dev/null || fail handbook
fonts=$(pdffonts "$RUN/x.pdf")
echo "$fonts"
grep -qi "wenquanyi\|wqy" <<<"$fonts" || fail "handbook font: $fonts"
! awk 'NR>2 && $(NF-4)!="yes"' <<<"$fonts" | grep -q . || fail "a font is not embedded: $fonts"
text=$(pdftotext "$RUN/x.pdf" -)
grep -q "$number" <<<"$text" || fail "household number not in the handbook text"

step "policies PDF"
bundle cadre-desk --db "$RUN/county.db" policies -o "$RUN/policies.pdf" >/dev/null || fail policies
pdffonts "$RUN/policies.pdf" | grep -qi "wenquanyi\|wqy" || fail "policies font"

step "sync: setup, enrol a laptop, export, import at the county"
cadre=$(query "$RUN/county.db" "SELECT c.name FROM cadres c JOIN pairings p ON p.cadre_id=c.id WHERE c.deleted=0 GROUP BY c.id ORDER BY count(*) DESC, c.name LIMIT 1")
out=$(bundle cadre-desk --db "$RUN/county.db" sync setup --cadre "$cadre" -o "$RUN/enrol.cdsync") || fail "sync setup: $out"
code=$(grep -o '启用码：[^ ，。]*' <<<"$out" | head -1 | sed 's/启用码：//')
[[ -n "$code" ]] || fail "no enrolment code in: $out"
out=$(bundle cadre-desk --db "$RUN/laptop.db" sync import "$RUN/enrol.cdsync" --code "$code") || fail "enrol: $out"
grep -q "启用完成" <<<"$out" || fail "enrol: $out"
bundle cadre-desk --db "$RUN/laptop.db" sync export -o "$RUN/laptop-1.cdsync" >/dev/null || fail "laptop export"
out=$(bundle cadre-desk --db "$RUN/county.db" sync import "$RUN/laptop-1.cdsync") || fail "county import: $out"
grep -q "第 1 号数据包" <<<"$out" || fail "county import: $out"
n=$(query "$RUN/laptop.db" "SELECT count(*) FROM households WHERE deleted=0")
[[ "$n" -gt 0 ]] || fail "the laptop received no households"

step "export-warehouse (DuckDB in the bundle)"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$RUN/province.key"
bundle cadre-desk --db "$RUN/county.db" export-warehouse "$RUN/warehouse" --as-of 2020-04-30 --key-file "$RUN/province.key" >/dev/null \
  || fail export-warehouse
for t in county households members applications offers measures payments; do
  [[ "$(head -c 4 "$RUN/warehouse/$t.parquet")" == PAR1 ]] || fail "$t.parquet is not Parquet"
done
! grep -q "$number" "$RUN/warehouse/households.parquet" || fail "household number in the pseudonymous export"

step "the encrypted database: no plaintext, a wrong or missing password refused"
! grep -q "$number" "$RUN/county.db" || fail "a household number in the database file's raw bytes"
out=$(env -i HOME="$RUN/home" PATH=/usr/bin:/bin LANG=C.UTF-8 CADRE_DESK_USER="$CADRE_DESK_USER" CADRE_DESK_PASSWORD=wrong-pass-1 \
      "$APP/cadre-desk" --db "$RUN/county.db" stats --json 2>&1) && fail "a wrong password opened the database: $out"
grep -q "错误：" <<<"$out" && ! grep -q Traceback <<<"$out" || fail "wrong password message: $out"
out=$(bundle_bare cadre-desk --db "$RUN/county.db" stats --json 2>&1 </dev/null) && fail "no password opened the database: $out"
grep -q "登录" <<<"$out" || fail "missing password message: $out"

step "measurements"
du -sh "$APP" | awk '{print "bundle size: " $1}'
(cd "$WORK/app" && tar -czf "$WORK/bundle.tar.gz" cadre-desk) && du -h "$WORK/bundle.tar.gz" | awk '{print "bundle .tar.gz: " $1}'
if command -v objdump >/dev/null; then python3 "$SRC/packaging/glibc_floor.py" "$APP" --top 3; else echo "objdump not installed (binutils): glibc floor not measured"; fi
python3 "$SRC/packaging/measure_start.py" "$APP" "$RUN/county.db" --runs 3
step "bundle test passed in $(( $(date +%s) - T0 ))s (work folder $WORK)"
