#!/bin/bash
# bench/zoo: the example zoo (examples/zoo) exported, then converted by `tpuc zoo -j 2`: the wall
# time of the whole zoo and of each model, each model's outcome, simulated latency and host layers;
# then the same command again with --resume (everything unchanged: every model skipped).
#   bash bench/zoo/run.sh [build-dir]            (after `make build`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
/usr/bin/python3 "$root/examples/zoo/export.py" 2> >(grep -v Warning >&2) > /dev/null
rm -rf "$root/out/zoo"
/usr/bin/python3 - "$build/cli/tpuc" "$root/examples/zoo/zoo.yaml" "$root/out/zoo/report.json" <<'PY'
import json, subprocess, sys, time
tpuc, manifest, summary = sys.argv[1:]
def convert(*extra):  # exit code 1 (a model not passing) is a result, not a failure of the bench
    start = time.monotonic()
    code = subprocess.run([tpuc, "zoo", "--manifest", manifest, "-j", "2", *extra], capture_output=True).returncode
    if code not in (0, 1):
        sys.exit(f"tpuc zoo exited with {code}")
    return time.monotonic() - start
whole, again = convert(), convert("--resume")
zoo = json.load(open(summary))
print("| model | status | wall | compile (import → codegen) | simulated latency | host layers | output cosine |")
print("|---|---|---|---|---|---|---|")
for name, r in zoo.items():
    rep = r.get("report", {}); ms = rep.get("stage_ms", {}); chip = rep.get("chip", {}); v = rep.get("validation", {})
    compile_s = sum(ms.get(s, 0) for s in ("import", "passes", "quantize", "codegen")) / 1000
    latency = f"{chip['latency_us'] / 1000:.3f} ms" if "latency_us" in chip else "-"
    cosine = f"{v['cosine_mean']:.4f}" if "cosine_mean" in v else "-"
    status = r["status"] + (f" ({r['reason']})" if r.get("reason") else "")
    print(f"| {name} | {status} | {r['wall_s']:.1f} s | {compile_s:.1f} s | {latency} | {len(chip.get('host_layers', []))} | {cosine} |")
print(f"\nwhole zoo, -j 2: {whole:.1f} s; again with --resume (every model skipped): {again:.1f} s")
PY
