#!/bin/bash
# bench/torchvision: torchvision architectures beyond the example zoo (bench/torchvision/export.py),
# each in int8 and in f16 for the BM1684X, converted by `tpuc zoo -j 2`: per model its outcome,
# host layers (how many, and their ops), simulated chip latency, the host layers' modeled time,
# the whole (report.json latency_us), MAC utilization and output cosine against float; an int8
# model with the precision search says how many layers it kept in f16.
#   bash bench/torchvision/run.sh [build-dir] [NAME ...]     (after `make build`; default: all)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
out=$root/out/torchvision-models
/usr/bin/python3 "$root/bench/torchvision/export.py" "$out" "$@" \
  2> >(grep -v Warning >&2) > /dev/null
rm -rf "$out/compiled"
/usr/bin/python3 - "$build/cli/tpuc" "$out/zoo.yaml" "$out/compiled/report.json" <<'PY'
import collections, json, subprocess, sys
tpuc, manifest, summary = sys.argv[1:]
zoo = [tpuc, "zoo", "--manifest", manifest, "-j", "2"]
code = subprocess.run(zoo, capture_output=True).returncode
if code not in (0, 1):  # 1: a model not passing is a result, not a failure of the bench
    sys.exit(f"tpuc zoo exited with {code}")
print("| model | precision | status | host layers | chip (simulated) | host layers (modeled) | "
      "latency | MAC util. | output cosine |")
print("|---|---|---|---|---|---|---|---|---|")
for name, r in json.load(open(summary)).items():
    rep = r.get("report", {}); chip = rep.get("chip", {}); v = rep.get("validation", {})
    model, _, precision = name.partition("-")
    precision = precision or "int8"
    if "precision_search" in rep:  # the layers the search kept in f16
        precision += f" + {len(rep['precision_search']['float_layers'])} f16"
    host = chip.get("host_layers", [])
    ops = collections.Counter(h["op"] for h in host)
    listed = ", ".join(f"{n} {op}" for op, n in sorted(ops.items())) if host else "none"
    us = lambda key, d=rep: f"{d[key] / 1000:.3f} ms" if key in d else "-"
    cosine = f"{v['cosine_mean']:.4f}" if "cosine_mean" in v else "-"
    mac = f"{100 * chip['mac_utilization']:.1f}%" if "mac_utilization" in chip else "-"
    status = r["status"] + (f" ({r['reason'][:80]})" if r.get("reason") else "")
    print(f"| {model} | {precision} | {status} | {len(host)}: {listed} | "
          f"{us('latency_us', chip)} | {us('host_us')} | {us('latency_us')} | {mac} | {cosine} |")
PY
