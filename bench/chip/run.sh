#!/bin/bash
# bench/chip: exported networks compiled in int8 for the BM1684X with layer groups and one layer at
# a time (codegen.layer_groups), for the BM1684 from the same configs (the chip is data:
# configs/chips/*.yaml), and in f16 for the BM1684X (the BM1684 has no f16), each run on the
# simulator: simulated latency (and the speed-up of layer groups), MAC and DDR utilization,
# command counts, compile time, bit-exactness against the host quantized reference, output cosine
# against float; beside the published figures of ../shared/reference/anchors.md (TPU-MLIR on a
# real BM1684X). Host layers (ops the chip cannot run yet) are counted; their time is not in the
# simulated latency. The detector is the example zoo's (examples/zoo/export.py).
#   bash bench/chip/run.sh [build-dir]            (after `make build`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=$root/out/bench/chip
models="resnet18 resnet50 mobilenetv2 encoder"
mkdir -p "$out"
/usr/bin/python3 "$root/bench/models/export.py" "$out/models" $models 2> >(grep -v Warning >&2) > /dev/null
/usr/bin/python3 "$root/examples/zoo/export.py" "$out/zoo" yolo_tiny 2> >(grep -v Warning >&2) > /dev/null
echo "| chip | precision | model | layer groups | result | TIU / GDMA commands | host layers | weights | simulated latency | vs one layer at a time | MAC util. | DDR util. | compile (import → codegen) | calibration | bit-exact | output cosine (vs float) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for model in $models yolo_tiny; do
  config=$out/$model.yaml
  if [ "$model" = yolo_tiny ]; then
    config=$out/zoo/configs/yolo_tiny.yaml
  else
    data=$out/data/$model
    shape=$(awk -v m="$model" '$1 == m { print $2 }' "$out/models/models.txt")
    /usr/bin/python3 - "$shape" "$data" <<'PY'
import pathlib, sys
import numpy as np
shape = [int(d) for d in sys.argv[1].split("x")]
out = pathlib.Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(7)
for i in range(16):
    np.save(out / f"{i:02d}.npy", rng.standard_normal(shape).astype("float32"))
PY
    cat > "$config" <<YAML
include: $root/configs/targets/bm1684x-int8.yaml
model: models/$model.onnx
quantization:
  calibration: {dataset: {images: data/$model}, count: 16, method: mse}
validation:
  dataset: {images: data/$model}
  count: 2
  tolerance: {min_cosine: 0.98}
YAML
  fi
  # The same configs; only the grouping switch, the chip description or the policy changes.
  for run in bm1684x:int8_sym:false bm1684x:int8_sym:true bm1684:int8_sym:true bm1684x:f16:true; do
    IFS=: read -r chip policy groups <<< "$run"
    result=results/$model-$chip-$policy-$groups
    rm -rf "$out/$result"
    if "$build/cli/tpuc" compile --config "$config" --set chip="$root/configs/chips/$chip.yaml" \
      --set quantization.policy="$root/configs/quant/$policy.yaml" --set codegen.layer_groups=$groups \
      --set output_dir="$out/$result" > "$out/$model-$chip-$policy-$groups.log" 2>&1; then status=PASS; else status=FAIL; fi
    /usr/bin/python3 - "$out/$result/report.json" "$model" "$status" "$out/$model-$chip-$policy-$groups.log" "$chip" "${policy%_sym}" "$groups" \
      "$out/results/$model-bm1684x-int8_sym-false/report.json" <<'PY'
import json, os, sys
path, model, status, log, chip, precision, groups, alone = sys.argv[1:]
if not os.path.exists(path):
    error = [l for l in open(log) if "error" in l][-1].strip().replace("|", "/")
    print(f"| {chip} | {precision} | {model} | {groups} | {status}: {error} | | | | | | | | | | | |")
    sys.exit()
r = json.load(open(path)); c = r["chip"]; v = r["validation"]; ms = r["stage_ms"]
compile_s = sum(ms[s] for s in ("import", "passes", "quantize", "codegen")) / 1000
calibration = f"{ms['calibrate'] / 1000:.1f} s" if ms.get("calibrate") else "none"
speedup = "-"
if groups == "true" and chip == "bm1684x" and precision == "int8" and os.path.exists(alone):
    speedup = f"{json.load(open(alone))['chip']['latency_us'] / c['latency_us']:.2f}x"
print(f"| {chip} | {precision} | {model} | {'on' if groups == 'true' else 'off'} | {status} | {c['tiu_commands']} / {c['gdma_commands']} | {len(c['host_layers'])} "
      f"| {c['weight_bytes'] / 2**20:.1f} MiB | {c['latency_us'] / 1000:.3f} ms | {speedup} | {100 * c['mac_utilization']:.1f}% | {100 * c['ddr_utilization']:.1f}% "
      f"| {compile_s:.1f} s | {calibration} | {v['bit_exact_samples']} of {v['count']} | {v['cosine_mean']:.4f} |")
PY
  done
done
