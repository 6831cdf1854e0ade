"""How sensitive a float model is to small errors, independent of quantization: the output
cosine of the float model (tpuc's host reference) on a validation input plus Gaussian noise of a
given standard deviation, against the same model on the clean input. For scale: rounding a
unit-variance input to int8 over ±4σ is noise of std ≈ 0.009.
    /usr/bin/python3 bench/torchvision/noise.py TPUC MODEL.onnx INPUT.npy [STD ...]"""
import os, subprocess, sys, tempfile

import numpy as np


def run(tpuc, model, x, folder, name):
    """The model's first output on `x`."""
    inputs, outputs = os.path.join(folder, name + ".npy"), os.path.join(folder, name + ".npz")
    np.save(inputs, x)
    subprocess.run([tpuc, "run", model, "--input", inputs, "--output", outputs], check=True,
                   capture_output=True)
    with np.load(outputs) as z:
        return z[sorted(z.files)[0]].astype(np.float64).ravel()


def main():
    tpuc, model, sample = sys.argv[1:4]
    stds = [float(s) for s in sys.argv[4:]] or [0.003, 0.01, 0.03]
    x = np.load(sample)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        clean = run(tpuc, model, x, folder, "clean")
        print("| noise std | output cosine |\n|---|---|")
        for std in stds:
            noisy = (x + rng.normal(0, std, x.shape)).astype(x.dtype)
            y = run(tpuc, model, noisy, folder, f"noisy{std}")
            cosine = clean @ y / (np.linalg.norm(clean) * np.linalg.norm(y))
            print(f"| {std} | {cosine:.4f} |")


main()
