#!/bin/bash
# bench/quant: int8 accuracy of the Fashion-MNIST example under each calibration method (the
# example's calibration set: 200 training images; validation: all 10,000 test images), then the
# output cosine of exported networks in each precision (mean / min over the inputs).
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

# Exported networks (bench/models/export.py: random weights, realistic BatchNorm statistics), on the
# host: output cosine of each precision against float over 8 seeded inputs, after calibrating on 16
# others; the search column keeps up to 8 layers in f16 to reach 0.98 (bench/quant/int8_search.yaml).
models=$root/out/bench/quant/models
/usr/bin/python3 "$root/bench/models/export.py" "$models" resnet18 resnet50 mobilenetv2 encoder 2> >(grep -v Warning >&2) > /dev/null
cosine() {  # model policy method → "mean / min" (and the searched layers)
  "$build/bench/tpuc_quant_bench" "$models/$1.onnx" "$root/configs/pipelines/default.yaml" "$2" "$3" 16 8 2> /dev/null |
    /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin); n = r["searched_float_layers"]
print("%.4f / %.4f" % (r["cosine_mean"], r["cosine_min"]) + (" (%d f16)" % n if n else ""))'
}
echo
echo "| model | int8 max | int8 percentile | int8 kl | int8 mse | int8 mse + search | int8_asym mse | f16 | bf16 |"
echo "|---|---|---|---|---|---|---|---|---|"
for model in resnet18 resnet50 mobilenetv2 encoder; do
  row="| $model"
  for method in max percentile kl mse; do row+=" | $(cosine $model "$root/configs/quant/int8_sym.yaml" $method)"; done
  row+=" | $(cosine $model "$root/bench/quant/int8_search.yaml" mse)"
  row+=" | $(cosine $model "$root/configs/quant/int8_asym.yaml" mse)"
  for mode in f16 bf16; do row+=" | $(cosine $model "$root/configs/quant/$mode.yaml" max)"; done
  echo "$row |"
done

# The trained text examples (examples/textdet, examples/textrec), judged by their task metric on
# their validation images: each calibration method (auto: one per layer) on the example's own
# calibration images, MSE on 16 random-normal inputs (what the example zoo calibrates on; tpuc
# warns about it), then the policy options (bench/quant/int8_*.yaml) with KL and MSE: cross-layer
# equalization (cle), bias correction (bias), both, and the precision search (0.995, at most 4 f16
# layers; its time beside the calibration's); last, asymmetric int8 (configs/quant/int8_asym.yaml).
random_inputs() {  # example shape → a folder of 16 random-normal .npy inputs
  local dir=$root/out/bench/quant/random/$1
  mkdir -p "$dir"
  /usr/bin/python3 -c 'import sys, numpy as np
rng = np.random.default_rng(0); shape = tuple(int(d) for d in sys.argv[2].split("x"))
for i in range(16): np.save(f"{sys.argv[1]}/{i:03d}.npy", rng.standard_normal(shape).astype(np.float32))' "$dir" "$2"
  echo "$dir"
}
policies=$root/bench/quant
variants=(max percentile kl mse auto random)
for method in kl mse; do
  for option in cle bias cle_bias search_995; do variants+=("$method+$option"); done
done
variants+=(mse+asym)
echo
echo "| example | calibration | metric | float | int8 (host = chip) | drop | output cosine mean / min | f16 layers | calibration / search time |"
echo "|---|---|---|---|---|---|---|---|---|"
for example in textdet:1x3x192x192 textrec:1x1x32x128; do
  name=${example%%:*}
  random=$(random_inputs "$name" "${example#*:}")
  for variant in "${variants[@]}"; do
    method=${variant%%+*}
    out=$root/out/bench/quant/$name-$variant
    rm -rf "$out"
    settings=(--set quantization.calibration.method=${method/random/mse})
    [ "$method" = random ] && settings+=(--set quantization.calibration.dataset.images="$random")
    policy=$policies/int8_${variant#*+}.yaml
    [ -f "$policy" ] || policy=$root/configs/quant/int8_${variant#*+}.yaml
    [ "$variant" != "$method" ] && settings+=(--set quantization.policy="$policy")
    "$build/cli/tpuc" compile --config "$root/examples/$name/config.yaml" --set output_dir="$out" \
      "${settings[@]}" --set validation.tolerance.max_accuracy_drop=100 \
      --set validation.tolerance.min_cosine=0 > /dev/null 2>&1
    /usr/bin/python3 - "$out/report.json" "$name" "$variant" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); v = r["validation"]; m = v["metric"]
assert m["int8_chip"] == m["int8_host"] and v["bit_exact"]
label = "MSE, random-normal inputs" if sys.argv[3] == "random" else sys.argv[3]
host = len(r["chip"].get("host_layers", []))
if host: label += f" ({host} host layers)"
search = r.get("precision_search")
layers = len(search["float_layers"]) if search else 0
times = f"{r['stage_ms']['calibrate'] / 1000:.1f} s"
if search: times += f" / {r['stage_ms']['precision search'] / 1000:.1f} s"
print(f"| {sys.argv[2]} | {label} | {m['name']} | {v['float_accuracy']:.2f}% "
      f"| {v['int8_host_accuracy']:.2f}% | {v['accuracy_drop']:.2f} "
      f"| {v['cosine_mean']:.5f} / {v['cosine_min']:.5f} | {layers} | {times} |")
PY
  done
done
