#!/bin/bash
# bench/quant: int8 accuracy of the Fashion-MNIST example under each calibration method (the
# example's calibration set: 200 training images; validation: all 10,000 test images).
#   bash bench/quant/run.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
echo "| method | float top-1 | int8 top-1 (host = chip) | drop | output cosine mean / min | calibration time |"
echo "|---|---|---|---|---|---|"
for method in max percentile kl mse; do
  out=$root/out/bench/quant/$method
  rm -rf "$out"  # a fresh calibration each time (tables are otherwise reused)
  "$build/cli/tpuc" compile --config "$root/examples/fmnist/config.yaml" --set output_dir="$out" \
    --set quantization.calibration.method=$method --set validation.tolerance.max_accuracy_drop=100 \
    --set validation.tolerance.min_cosine=0 > /dev/null 2>&1
  /usr/bin/python3 - "$out/report.json" "$method" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); v = r["validation"]
assert v["int8_chip_accuracy"] == v["int8_host_accuracy"] and v["bit_exact"]
print(f"| {sys.argv[2]} | {v['float_accuracy']:.2f}% | {v['int8_host_accuracy']:.2f}% | {v['accuracy_drop']:.2f} "
      f"| {v['cosine_mean']:.5f} / {v['cosine_min']:.5f} | {r['stage_ms']['calibrate'] / 1000:.1f} s |")
PY
done
