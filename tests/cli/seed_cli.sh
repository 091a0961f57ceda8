#!/usr/bin/env bash
# `episodes-core seed`: writes a new SQLite file the stock sqlite3 CLI opens; same seed -> same
# bytes; refuses an existing file unless --replace; usage errors exit 2.
# $1 = path to the episodes-core CLI.
set -uo pipefail
cli=${1:?usage: seed_cli.sh /path/to/episodes-core}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
check() {  # check DESCRIPTION CONDITION...
  local what=$1
  shift
  if ! "$@"; then
    echo "FAIL: $what"
    fails=$((fails + 1))
  fi
}
not() { ! "$@"; }
digest='6624e8fddfba9b88'  # tests/core/mock_test.cpp kDemoDigest

out=$("$cli" seed --db "$dir/a.db" --seed 42 2>"$dir/err")
check "demo exits 0" test $? = 0
check "demo digest is the pinned one" python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d['ok'] and d['digest']=='$digest' and d['rows']['Organization']==2 else 1)" "$out"
check "demo prints no progress by default" test ! -s "$dir/err"
if command -v sqlite3 >/dev/null; then
  check "sqlite3 opens it" test "$(sqlite3 "$dir/a.db" 'SELECT count(*) FROM organizations')" = 2
  check "integrity_check ok" test "$(sqlite3 "$dir/a.db" 'PRAGMA integrity_check')" = ok
  check "foreign keys hold" test -z "$(sqlite3 "$dir/a.db" 'PRAGMA foreign_key_check')"
fi
"$cli" seed --db "$dir/a.db" --seed 42 >"$dir/out2" 2>&1
check "an existing file is refused (exit 1)" test $? = 1
check "the refusal says why" grep -q '"conflict"' "$dir/out2"
cp "$dir/a.db" "$dir/first.db"
"$cli" seed --db "$dir/a.db" --seed 42 --replace >/dev/null 2>&1
check "--replace rewrites it" test $? = 0
check "same seed, same bytes" cmp -s "$dir/a.db" "$dir/first.db"
"$cli" seed --db "$dir/b.db" --seed 43 >/dev/null 2>&1
check "another seed, other bytes" not cmp -s "$dir/b.db" "$dir/first.db"
out=$("$cli" seed --db "$dir/c.db" --seed 1 --reference-date 2026-03-29 --counts '{"organizations":3,"projects":5,"episodes":40}' --progress 2>"$dir/err")
check "--progress exits 0 (the callback outlives the block that sets it: ASan build)" test $? = 0
check "counts and reference date" python3 -c "import json,sys; d=json.loads(sys.argv[1]); r=d['rows']; sys.exit(0 if r['Organization']==3 and r['Project']==5 and r['Episode']==40 and d['now']=='2026-03-29T12:00:00.000Z' else 1)" "$out"
check "--progress reports on stderr" grep -q 'seed: 100%' "$dir/err"
"$cli" seed --db "$dir/d.db" --seed 1 --counts '{"organizations":0}' >"$dir/out3" 2>&1
check "invalid counts: exit 1 with issues" test $? = 1
check "invalid counts leave no file" test ! -e "$dir/d.db"
"$cli" seed --db "$dir/e.db" --seed 1 --size huge >/dev/null 2>&1
check "bad size: exit 2" test $? = 2
"$cli" seed --db "$dir/e.db" --seed -4 >/dev/null 2>&1
check "bad seed: exit 2" test $? = 2
"$cli" seed --seed 1 >/dev/null 2>&1
check "missing --db: exit 2" test $? = 2

if [[ $fails != 0 ]]; then
  echo "seed_cli: $fails failed"
  exit 1
fi
echo "seed_cli: all checks passed"
