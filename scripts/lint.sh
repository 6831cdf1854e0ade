#!/usr/bin/env bash
# make lint: the C++ style of .clang-format, at most 100 columns a line (comments and strings
# included), and the clang-tidy checks of .clang-tidy over every source file outside tests/.
#   bash scripts/lint.sh [build-dir]      (after `make build`: clang-tidy reads its compile_commands.json)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^tests/fuzz/corpus/')
mapfile -t sources < <(printf '%s\n' "${files[@]}" |
  grep -E '^(ir|ops|chip|frontend|schedules|target|passes|quant|driver|cli)/.*\.cpp$')
status=0
echo "clang-format: ${#files[@]} files"
clang-format --dry-run --Werror "${files[@]}" || status=1
echo "100 columns"
# grep counts characters, not bytes, in a UTF-8 locale (the comments write →, ·, ×).
LC_ALL=C.UTF-8 grep -nP '^.{101,}$' "${files[@]}" && status=1
echo "clang-tidy: ${#sources[@]} files"
# clang cannot read g++'s precompiled header: the same commands without it (each file includes
# what it uses).
mkdir -p "$build/lint"
sed -E 's# -Winvalid-pch -include [^ ]*cmake_pch\.hxx##g' "$build/compile_commands.json" \
  > "$build/lint/compile_commands.json"
run-clang-tidy -quiet -p "$build/lint" -j 2 "${sources[@]/#/$PWD/}" > "$build/clang-tidy.log" 2>&1
grep -E 'warning:|error:' "$build/clang-tidy.log" | sort -u && status=1
[ $status -eq 0 ] && echo "lint: clean"
exit $status
