#!/bin/bash
# bench/fidelity: tpuc's simulated BM1684X time beside the published real-chip time, for the
# networks tpuc can rebuild (weights are random: the time does not depend on them), each precision,
# with layer groups off (one layer at a time) and on. Ratio = simulated / published.
#   bash bench/fidelity/run.sh [build-dir]
# Published times, ms per image at batch 1 (the figures a chip owner measures with bmrt_test):
#   resnet50: sophon-demo sample/ResNet/README.md §7.1 (SE7, BM1684X), torchvision ResNet-50.
#   resnet18: tpu-mlir docs/quick_start/source_en/Appx.04_modelzoo_test.rst (BM1684X), ONNX model
#             zoo resnet18-v2 — pre-activation blocks, the same convolutions as torchvision's
#             ResNet-18 (v1) that tpuc compiles, so the comparison is close, not exact.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
models=$root/out/fidelity-models
/usr/bin/python3 "$root/examples/zoo/export.py" "$models" resnet18 resnet50 \
  2> >(grep -v Warning >&2) > /dev/null
declare -A published=([resnet50-int8]=1.10 [resnet50-f16]=1.62 [resnet50-f32]=9.14
                      [resnet18-int8]=0.552 [resnet18-f16]=1.231 [resnet18-f32]=6.800)
simulated_ms() {  # model precision layer_groups → the report's simulated chip time in ms
  local out=$models/compiled/$1-$2-$3 policy=()
  [ "$2" != int8 ] && policy=(--set quantization.policy="$root/configs/quant/$2.yaml")
  "$build/cli/tpuc" compile --config "$models/configs/$1.yaml" --set output_dir="$out" \
    --set codegen.layer_groups="$3" "${policy[@]}" --set validation.tolerance.min_cosine=0 \
    > /dev/null 2>&1
  /usr/bin/python3 -c 'import json, sys
chip = json.load(open(sys.argv[1]))["chip"]
assert not chip.get("host_layers"), "host layers"
print("%.3f" % (chip["latency_us"] / 1000))' "$out/report.json"
}
ratio() {  # simulated published → simulated / published
  /usr/bin/python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' \
    "$1" "$2"
}
echo "| model | precision | published | groups off (simulated) | ratio | groups on (simulated) |" \
  "ratio |"
echo "|---|---|---|---|---|---|---|"
for model in resnet50 resnet18; do
  for precision in int8 f16 f32; do
    want=${published[$model-$precision]}
    off=$(simulated_ms $model $precision false)
    on=$(simulated_ms $model $precision true)
    echo "| $model | $precision | $want ms | $off ms | $(ratio "$off" "$want") | $on ms" \
      "| $(ratio "$on" "$want") |"
  done
done
