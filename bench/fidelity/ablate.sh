#!/bin/bash
# bench/fidelity/ablate.sh: what one cost of the cycle model contributes to each fidelity row. The
# models bench/fidelity/run.sh compiled are simulated again on the BM1684X description with one
# constant changed (e.g. bank_conflict_cycles=0: operands sharing a bank cost nothing); the same
# commands, only the simulated time differs.
#   bash bench/fidelity/ablate.sh [build-dir] key=value
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
key=${2%%=*}
value=${2#*=}
models=$root/out/fidelity-models
chip=$(mktemp --suffix=.yaml)
trap 'rm -f "$chip" "$chip.npz"' EXIT
if ! grep -q "^$key:" "$root/configs/chips/bm1684x.yaml"; then
  echo "no key '$key' in configs/chips/bm1684x.yaml" >&2
  exit 1
fi
sed "s|^$key: *[^ #]*|$key: $value|" "$root/configs/chips/bm1684x.yaml" > "$chip"
simulated_us() {  # model input chip-description → the simulated time in µs (host layers included)
  "$build/cli/tpuc" run "$1" --chip "$3" --input "$2" --output "$chip.npz" 2>&1 |
    sed -n 's/.*(\([0-9.]*\) us).*/\1/p'
}
echo "| compiled | simulated | with $key = $value | change |"
echo "|---|---|---|---|"
for dir in "$models"/compiled/*; do
  [ -f "$dir/model.bmodel" ] || continue
  name=$(basename "$dir")
  data=$models/data/${name%%-*}/val/000.npy
  before=$(simulated_us "$dir/model.bmodel" "$data" "$root/configs/chips/bm1684x.yaml")
  after=$(simulated_us "$dir/model.bmodel" "$data" "$chip")
  /usr/bin/python3 -c 'import sys; b, a = float(sys.argv[2]) / 1000, float(sys.argv[3]) / 1000
print("| %s | %.3f ms | %.3f ms | %+.1f%% |" % (sys.argv[1], b, a, 100 * (a - b) / b))' \
    "$name" "$before" "$after"
done
