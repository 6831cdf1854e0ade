"""Where each fidelity row's simulated time goes, from its report.json (chip.layers): the busy
cycles of each engine and the ops (layer kinds) that take most of them, in µs (cycles of the
BM1684X's 1 GHz clock).
  python3 bench/fidelity/breakdown.py COMPILED_DIR...   (out/fidelity-models/compiled/*)"""
import collections
import json
import pathlib
import sys


def kinds(layer):
    """A layer group's ops, once each ('Conv+Add' for a group of Convs and Adds)."""
    return "+".join(dict.fromkeys(layer["op"].split("+")))


def row(folder):
    chip = json.load(open(pathlib.Path(folder) / "report.json"))["chip"]
    tiu, gdma = collections.Counter(), collections.Counter()
    for layer in chip["layers"]:
        tiu[kinds(layer)] += layer["tiu_busy_cycles"]
        gdma[kinds(layer)] += layer["gdma_busy_cycles"]
    top = lambda c: ", ".join(f"{k} {v / 1000:.0f}" for k, v in c.most_common(3))
    return (f"| {pathlib.Path(folder).name} | {chip['latency_us'] / 1000:.3f} ms "
            f"| {chip['tiu_busy_cycles'] / 1000:.0f} µs | {top(tiu)} "
            f"| {chip['gdma_busy_cycles'] / 1000:.0f} µs | {top(gdma)} |")


print("| compiled | simulated | TIU busy | TIU by op (µs) | GDMA busy | GDMA by op (µs) |")
print("|---|---|---|---|---|---|")
for folder in sys.argv[1:]:
    print(row(folder))
