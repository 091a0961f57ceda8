#!/usr/bin/env bash
# One variant of the Node wasm module (episodes_core_node) for the peers benchmark's
# --wasm-variants (docs/BENCHMARKS.md, "Session 8: wasm against native, more tries"): SQLite
# recompiled with extra compile flags and/or the module relinked with extra link flags, every
# other object taken as built in the tree. Writes build/variants/<name>/episodes_core_node.mjs.
#   bash bench/wasm_variants/variant.sh <name> "<extra SQLite cflags>" "<extra link flags>" [tree]
# e.g. variant.sh la2048 "-DSQLITE_DEFAULT_LOOKASIDE=2048,1000" ""
#      variant.sh prof "" "--profiling-funcs"
#      SQLITE_LIB=$PWD/build/variants/la2048/libec_sqlite3.a variant.sh la2048-prof "" "--profiling-funcs"
# With PEERS_BENCH=1 the tree's peers_bench (target built) is relinked the same way into
# build/variants/<name>/peers_bench.js, for run.mjs --wasm-bench ("ec wasm raw SQL" of the variant).
# (SQLITE_LIB and objects given as link flags: absolute paths; the link runs in <tree>/bindings)
set -euo pipefail
name=$1
cflags=${2:-}
ldflags=${3:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
tree=$(cd "${4:-$root/build/wasm}" && pwd)
out=$root/build/variants/$name
mkdir -p "$out"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
lib=${SQLITE_LIB:-$tree/libec_sqlite3.a}  # SQLITE_LIB: reuse another variant's SQLite
if [[ -n $cflags ]]; then
  flags=$tree/CMakeFiles/ec_sqlite3.dir/flags.make
  defs=$(sed -n 's/^C_DEFINES = //p' "$flags")
  base=$(sed -n 's/^C_FLAGS = //p' "$flags")
  # shellcheck disable=SC2086
  emcc $defs -isystem "$root/.deps/sqlite-3.53.0" $base $cflags -c "$root/.deps/sqlite-3.53.0/sqlite3.c" \
    -o "$out/sqlite3.c.o"
  rm -f "$out/libec_sqlite3.a"
  emar qc "$out/libec_sqlite3.a" "$out/sqlite3.c.o"
  emranlib "$out/libec_sqlite3.a"
  lib=$out/libec_sqlite3.a
fi
# Relinks <target> of <dir> (in the tree) with the extra link flags and this variant's SQLite.
relink() {
  local dir=$1 target=$2 output=$3 link libs
  cd "$tree/$dir"
  link=$(cat "CMakeFiles/$target.dir/link.txt")
  link=${link/-o $output/$ldflags -o $out/$output}
  libs=$(sed "s#\.\./libec_sqlite3\.a#$lib#" "CMakeFiles/$target.dir/linkLibs.rsp")
  link=${link/@CMakeFiles\/$target.dir\/linkLibs.rsp/$libs}
  eval "$link"
  echo "$out/$output"
}
relink bindings episodes_core_node episodes_core_node.mjs
if [[ ${PEERS_BENCH:-} == 1 ]]; then
  relink bench peers_bench peers_bench.js
  echo '{"type": "commonjs"}' >"$out/package.json"  # a CommonJS program, as in the tree
fi
