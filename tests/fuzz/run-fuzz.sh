#!/usr/bin/env bash
# Builds one libFuzzer target under clang (ASan + UBSan) from the sources listed in
# tests/fuzz/NAME.sources, replays every saved finding in tests/fuzz/regressions/NAME/ (each
# must now pass), then fuzzes for a bounded time from the seeds in tests/fuzz/corpus/NAME/
# with the words in tests/fuzz/NAME.dict.
# Self-contained: needs clang++ with libFuzzer and the libraries' -dev packages, not the main
# build.
#   run-fuzz.sh CLANGXX SOURCE_DIR WORK_DIR NAME [SECONDS]   (SECONDS defaults to
#   $KVITTENS_FUZZ_SECONDS, else 60)
# Everything is written under WORK_DIR/NAME (the seeds are copied there, so the source tree is
# never written); a finding lands there as crash-*, leak-*, timeout-* or oom-*.
set -euo pipefail
clangxx=$1 src=$(cd "$2" && pwd) work=$3 name=$4
seconds=${5:-${KVITTENS_FUZZ_SECONDS:-60}}
here=$src/tests/fuzz
out=$(mkdir -p "$work/$name" && cd "$work/$name" && pwd)

sources=()
while read -r line; do
  [[ $line =~ ^[[:space:]]*(#|$) ]] || sources+=("$src/$line")
done <"$here/$name.sources"

# The date library's headers must be read with the macros libdate-tz was built with (its CMake
# package exports them); the rest of what model/ and backend/ link comes from pkg-config.
# Sized deallocation is on in g++ by default, not in clang 14 (model/decision_memory.cpp uses it).
"$clangxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -fsized-deallocation \
  -I"$src" -I"$src/include" -DONLY_C_LOCALE=1 -DHAS_STRING_VIEW=1 -DUSE_OS_TZDB=1 \
  -DKVITTENS_SOURCE_DIR="\"$src\"" -DKVITTENS_RULES_DIR="\"$src/rules\"" \
  "${sources[@]}" -o "$out/fuzz" \
  $(pkg-config --libs yaml-cpp libcrypto sqlite3) -ldate-tz -pthread

# The targets keep their scratch files under TMPDIR; a crash leaves them here, not in /tmp.
export TMPDIR=$out/tmp
rm -rf "$out/corpus" "$TMPDIR"
mkdir -p "$out/corpus" "$TMPDIR"
cd "$out"
shopt -s nullglob
regressions=("$here/regressions/$name"/*)
if ((${#regressions[@]})); then
  echo "== $name: replaying ${#regressions[@]} saved findings"
  ./fuzz -timeout=10 "${regressions[@]}"
fi
# The saved findings seed the fuzzing too: they sit next to paths worth mutating.
cp -L "$here/corpus/$name"/* "${regressions[@]}" corpus/
# The format's words (NAME.dict) let mutations write keys the seeds do not hold, or hold far apart.
dict=()
[ ! -f "$here/$name.dict" ] || dict=(-dict="$here/$name.dict")
echo "== $name: fuzzing for ${seconds}s"
exec ./fuzz -max_total_time="$seconds" -timeout=10 -print_final_stats=1 "${dict[@]}" \
  -artifact_prefix="$out/" corpus
