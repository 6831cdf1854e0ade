#!/bin/bash
# bench/host_vs_onnxruntime: times tpuc's host executor against onnxruntime (CPU) on ResNet-50,
# MobileNetV2 and a transformer encoder exported by torch, and checks that the outputs agree.
# tpuc runs the graph after the default pass pipeline; onnxruntime applies its own graph
# optimizations (its default, ORT_ENABLE_ALL).
#   bash bench/host_vs_onnxruntime/run.sh [build-dir]      (after `make build`; see bench/README.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
out=$root/out/bench/host_vs_onnxruntime
threads=$(nproc)
runs=10

(cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)
/usr/bin/python3 "$root/bench/models/export.py" "$out" resnet50 mobilenetv2 encoder 2> >(grep -v Warning >&2)
while read -r name shape; do
  echo "== $name $shape" >&2
  HL_NUM_THREADS=$threads "$build/bench/tpuc_host_bench" "$out/$name.onnx" "$out/$name.input.npz" \
    "$out/$name.tpuc.npz" $runs "$root/configs/pipelines/default.yaml" > "$out/$name.tpuc.json"
  node "$here/ort_bench.js" "$out/$name.onnx" "$out/$name.input.bin" "$shape" $runs "$threads" \
    "$out/$name.ort.bin" > "$out/$name.ort.json"
done < "$out/models.txt"
/usr/bin/python3 "$here/report.py" "$out" "$threads"
