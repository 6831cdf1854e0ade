"""Train the Fashion-MNIST example CNN and export it to ONNX (opset 13).

Run once by a developer with Debian's python3-torch (`/usr/bin/python3 examples/fmnist/train.py`);
the build never retrains: model.onnx is committed. Data: Debian's dataset-fashion-mnist.
"""
import gzip
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import common  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
                                        nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def to_input(images):
    # The model's input is the raw pixel scaled to [0, 1]; config.yaml's preprocessing says the
    # same.
    return torch.from_numpy(images.astype(np.float32)[:, None] / 255.0)


def main(out_path):
    torch.manual_seed(0)
    torch.set_num_threads(2)
    xtr = read_idx(f"{DATA}/train-images-idx3-ubyte.gz")
    ytr = read_idx(f"{DATA}/train-labels-idx1-ubyte.gz")
    xte = read_idx(f"{DATA}/t10k-images-idx3-ubyte.gz")
    yte = read_idx(f"{DATA}/t10k-labels-idx1-ubyte.gz")
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(3):
        net.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 64):
            idx = perm[i:i + 64].numpy()
            labels = torch.from_numpy(ytr[idx].astype(np.int64))
            loss = nn.functional.cross_entropy(net(to_input(xtr[idx])), labels)
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            acc = (net(to_input(xte)).argmax(1).numpy() == yte).mean()
        print(f"epoch {epoch}: test accuracy {acc:.4f}", flush=True)
    common.export(net, to_input(xte[:1]), out_path, "logits")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/fmnist/model.onnx")
