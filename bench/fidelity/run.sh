#!/bin/bash
# bench/fidelity: tpuc's simulated BM1684X time beside the published real-chip time, for the
# networks tpuc can rebuild (weights are random: the time does not depend on them), with layer
# groups off (one layer at a time) and on. Ratio = simulated / published.
#   bash bench/fidelity/run.sh [build-dir [model ...]]     (default: every row)
# Published times, ms per inference of the whole batch (bmrt_test's "calculate time", the figure a
# chip owner measures), from ../shared/reference/anchors.md section 2.1:
#   resnet50, resnet50_b4: sophon-demo sample/ResNet/README.md §7.1 (SE7, BM1684X), torchvision
#     ResNet-50; batch 4 is published per image (0.82 ms), here times 4.
#   resnet18, resnet18_b4: tpu-mlir docs/quick_start/source_en/Appx.04_modelzoo_test.rst (BM1684X),
#     ONNX model zoo resnet18-v2 — pre-activation blocks, the same convolutions as torchvision's
#     ResNet-18 (v1) that tpuc compiles, so the comparison is close, not exact.
#   yolov5s: sophon-demo sample/YOLOv5/README.md §7.1, YOLOv5s v6.1 at 640, 3 outputs.
#   bert_base: sophon-demo sample/BERT/README.md §7.1, bert4torch NER at sequence 256 (f16).
# The networks are built by examples/zoo/export.py and bench/fidelity/models.py.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
only=" ${*:2} "
models=$root/out/fidelity-models
/usr/bin/python3 "$root/examples/zoo/export.py" "$models" resnet18 resnet50 \
  2> >(grep -v Warning >&2) > /dev/null
/usr/bin/python3 "$root/bench/fidelity/models.py" "$models" resnet50_b4 resnet18_b4 yolov5s \
  bert_base 2> >(grep -v Warning >&2) > /dev/null
# model precision published-ms
rows="resnet50 int8 1.10
resnet50 f16 1.62
resnet50 f32 9.14
resnet50_b4 int8 3.28
resnet18 int8 0.552
resnet18 f16 1.231
resnet18 f32 6.800
resnet18_b4 int8 1.353
yolov5s int8 3.51
yolov5s f16 7.37
bert_base f16 8.643"
# The report's simulated time in ms; a model with host layers (ops the chip cannot run) gets their
# count, as their modeled CPU time is part of it.
simulated_ms() {  # model precision layer_groups
  local out=$models/compiled/$1-$2-$3 policy=()
  [ "$2" != int8 ] && policy=(--set quantization.policy="$root/configs/quant/$2.yaml")
  "$build/cli/tpuc" compile --config "$models/configs/$1.yaml" --set output_dir="$out" \
    --set codegen.layer_groups="$3" "${policy[@]}" --set validation.tolerance.min_cosine=0 \
    < /dev/null > /dev/null 2>&1
  /usr/bin/python3 -c 'import json, sys
chip = json.load(open(sys.argv[1]))["chip"]
host = len(chip.get("host_layers", []))
print("%.3f ms" % (chip["latency_us"] / 1000) + (" (%d host layers)" % host if host else ""))' \
    "$out/report.json"
}
ratio() {  # simulated published → simulated / published
  /usr/bin/python3 -c 'import sys
print("%.2f" % (float(sys.argv[1].split()[0]) / float(sys.argv[2])))' "$1" "$2"
}
echo "| model | precision | published | groups off (simulated) | ratio | groups on (simulated)" \
  "| ratio |"
echo "|---|---|---|---|---|---|---|"
while read -r model precision want; do
  [ "$only" != "  " ] && [[ "$only" != *" $model "* ]] && continue
  off=$(simulated_ms "$model" "$precision" false)
  on=$(simulated_ms "$model" "$precision" true)
  echo "| $model | $precision | $want ms | $off | $(ratio "$off" "$want") | $on" \
    "| $(ratio "$on" "$want") |"
done <<< "$rows"
echo
/usr/bin/python3 "$root/bench/fidelity/breakdown.py" $(while read -r model precision want; do
  [ "$only" != "  " ] && [[ "$only" != *" $model "* ]] && continue
  echo "$models/compiled/$model-$precision-false $models/compiled/$model-$precision-true"
done <<< "$rows")
