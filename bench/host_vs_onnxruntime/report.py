"""Reads the timings and outputs the bench wrote into its output folder and prints the
bench/RESULTS.md table; the ratio is of the fastest runs (a shared machine's noise only ever
slows a run down), the means beside them. Relative error is max|tpuc - ort| / max|ort| over the first output."""
import json, pathlib, sys
import numpy as np


def main(out_dir, threads):
    out = pathlib.Path(out_dir)
    print(f"| model | nodes after passes (BN, no-ops, activations left) | tpuc first run (incl. kernels) "
          f"| tpuc fastest (mean) | onnxruntime fastest (mean) | tpuc / ort | max rel. error |")
    print(f"|---|---|---|---|---|---|---|")
    worst = 0.0
    for line in (out / "models.txt").read_text().splitlines():
        name = line.split()[0]
        ours = json.loads((out / f"{name}.tpuc.json").read_text())
        ort = json.loads((out / f"{name}.ort.json").read_text())
        a = next(iter(np.load(out / f"{name}.tpuc.npz").values())).astype(np.float64).ravel()
        b = np.fromfile(out / f"{name}.ort.bin", dtype="<f4").astype(np.float64)
        err = float(np.abs(a - b).max() / np.abs(b).max()) if a.shape == b.shape else float("inf")
        worst = max(worst, err)
        print(f"| {name} | {ours['nodes']} ({ours['leftover']}) | {ours['first_run_ms'] / 1000:.1f} s "
              f"| {ours['min_ms']:.1f} ({ours['mean_ms']:.1f}) ms | {ort['min_ms']:.1f} "
              f"({ort['mean_ms']:.1f}) ms | {ours['min_ms'] / ort['min_ms']:.2f}× | {err:.1e} |")
    print(f"\n{threads} threads each (HL_NUM_THREADS, intraOpNumThreads).")
    return 0 if worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
