#!/bin/bash
# bench/conformance: the ONNX backend node tests (Debian's libonnx-testdata) through the command
# line, as a user runs a case: `tpuc run model.onnx --input test_data_set_0 --output out.npz`, then
# `tpuc compare test_data_set_0 out.npz --rtol 1e-3 --atol 1e-7` (the backend tests' tolerance).
# A case whose model has an operator tpuc does not list ("unsupported operator") is not counted;
# every other case passes or fails, and a failure's first line is its reason.
#   bash bench/conformance/run.sh [build-dir] [name filter]     (after `make build`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
filter=${2:-}
tpuc=$build/cli/tpuc
data=/usr/share/libonnx-testdata/data/node
out=$root/out/bench/conformance
rm -rf "$out" && mkdir -p "$out"
one_case() {  # prints "outcome<TAB>case<TAB>reason"
  local dir=$1 name work
  name=$(basename "$dir")
  work=$2/$name
  mkdir -p "$work"
  if ! timeout 120 "$3" run "$dir/model.onnx" --input "$dir/test_data_set_0" \
      --output "$work/out.npz" > "$work/run.log" 2>&1; then
    if grep -q "unsupported operator" "$work/run.log"; then
      printf 'unlisted\t%s\t%s\n' "$name" "$(grep -m1 -o 'unsupported operator.*' "$work/run.log")"
    else
      printf 'fail\t%s\t%s\n' "$name" "$(grep -v '^\[' "$work/run.log" | head -1)"
    fi
    return
  fi
  if timeout 60 "$3" compare "$dir/test_data_set_0" "$work/out.npz" --rtol 1e-3 --atol 1e-7 \
      > "$work/compare.log" 2>&1; then
    printf 'pass\t%s\t\n' "$name"
  else
    printf 'fail\t%s\t%s\n' "$name" "$(grep -m1 -E 'FAIL|missing|rror' "$work/compare.log")"
  fi
}
export -f one_case
ls -d "$data"/test_*"$filter"* | xargs -P 2 -I{} bash -c 'one_case "$@"' _ {} "$out" "$tpuc" \
  | sort -k2 > "$out/outcomes.tsv"
pass=$(grep -c '^pass' "$out/outcomes.tsv" || true)
fail=$(grep -c '^fail' "$out/outcomes.tsv" || true)
unlisted=$(grep -c '^unlisted' "$out/outcomes.tsv" || true)
echo "| cases | operators listed | pass | fail | pass rate |"
echo "|---|---|---|---|---|"
awk -v p="$pass" -v f="$fail" -v u="$unlisted" 'BEGIN {
  printf "| %d | %d | %d | %d | %.1f%% |\n", p + f + u, p + f, p, f, 100 * p / (p + f) }'
echo
echo "Failures by reason (first words), most frequent first:"
grep '^fail' "$out/outcomes.tsv" | cut -f3 | sed -E "s#^tpuc: error: /[^ ]*/##" \
  | sed -E "s/'[^']*'/'…'/g; s/[0-9]+/N/g" | cut -c1-90 \
  | sort | uniq -c | sort -rn | head -25
