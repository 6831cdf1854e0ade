#!/bin/bash
# bench/zoo: the example zoo (examples/zoo) exported, then converted by `tpuc zoo -j 2`: the wall
# time of the whole zoo and of each model, each model's outcome, simulated latency and host layers;
# then the same command again with --resume (everything unchanged: every model skipped).
# With `slurm`, the same zoo through `tpuc zoo --executor slurm` on a one-node Slurm cluster of this
# machine (tests/slurm/start-cluster.sh, stopped at the end), then a second submission (every
# model skipped).
#   bash bench/zoo/run.sh [build-dir] [slurm]            (after `make build`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
executor=${2:-local}
/usr/bin/python3 "$root/examples/zoo/export.py" 2> >(grep -v Warning >&2) > /dev/null
rm -rf "$root/out/zoo"
run=(-j 2)
again=(--resume)
if [ "$executor" = slurm ]; then
  cluster=$root/out/slurm-cluster
  trap 'bash "$root/tests/slurm/stop-cluster.sh" "$cluster"' EXIT
  eval "$(bash "$root/tests/slurm/start-cluster.sh" "$cluster" $$)"
  run=(--executor slurm)
  again=()
fi
/usr/bin/python3 - "$build/cli/tpuc" "$root/examples/zoo/zoo.yaml" "$root/out/zoo/report.json" \
  "${run[*]}" "${again[*]}" <<'PY'
import json, subprocess, sys, time
tpuc, manifest, summary, run, again = sys.argv[1:]
def convert(*extra):  # exit code 1 (a model not passing) is a result, not a failure of the bench
    start = time.monotonic()
    code = subprocess.run([tpuc, "zoo", "--manifest", manifest, *run.split(), *extra], capture_output=True).returncode
    if code not in (0, 1):
        sys.exit(f"tpuc zoo exited with {code}")
    return time.monotonic() - start
whole, again_s = convert(), convert(*again.split())
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
print(f"\nwhole zoo, tpuc zoo {run}: {whole:.1f} s; again (every model skipped): {again_s:.1f} s")
PY
