"""Train the text-recognition example (conv backbone, two transformer encoder layers, CTC) on
synthetic word crops (data.py) and export it to ONNX (opset 13).

Run once by a developer with Debian's python3-torch; the build never retrains, model.onnx is
committed:
    /usr/bin/python3 examples/textrec/train.py [--crops N] [--epochs E] [OUT.onnx]
Defaults: 8 epochs of 6000 fresh crops each (10-14 min on 2 cores), model.onnx here.
Input `image` [1, 1, 32, 128]: grayscale pixels / 255. Output `logits` [1, 32, 37]: per time step
(left to right) raw class scores, class 0 the CTC blank, class k + 1 data.ALPHABET[k].
Prints the word and character accuracy on the validation crops after every epoch, and at the end
on --holdout more crops.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import common  # noqa: E402
import data  # noqa: E402

STEPS, DIM, HEADS, CLASSES = 32, 96, 4, len(data.ALPHABET) + 1


def conv_bn(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


class EncoderLayer(nn.Module):
    """Pre-norm transformer encoder layer, written out so the ONNX graph shows every op."""

    def __init__(self, dim=DIM, heads=HEADS, hidden=2 * DIM):
        super().__init__()
        self.heads, self.dh = heads, dim // heads
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(dim, hidden), nn.Linear(hidden, dim)

    def split(self, x):
        # [B, T, D] -> [B, heads, T, dh]; -1 for the batch keeps Reshape's shape a constant.
        return x.reshape(-1, STEPS, self.heads, self.dh).transpose(1, 2)

    def forward(self, x):
        h = self.norm1(x)
        q, k, v = self.split(self.q(h)), self.split(self.k(h)), self.split(self.v(h))
        att = torch.softmax(torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.dh), dim=-1)
        y = torch.matmul(att, v).transpose(1, 2).reshape(-1, STEPS, self.heads * self.dh)
        x = x + self.o(y)
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class TextRec(nn.Module):
    def __init__(self):
        super().__init__()
        # 32x128 -> 16x64 -> 8x32 -> 4x32 -> 1x32: halve W twice only, so 32 steps remain.
        self.backbone = nn.Sequential(
            *conv_bn(1, 32), nn.MaxPool2d(2),
            *conv_bn(32, 64), nn.MaxPool2d(2),
            *conv_bn(64, DIM), *conv_bn(DIM, DIM), nn.MaxPool2d((2, 1)),
            *conv_bn(DIM, DIM), nn.MaxPool2d((4, 1)))
        # Learned positions: attention alone does not know the order of the steps.
        self.pos = nn.Parameter(torch.zeros(1, STEPS, DIM))
        self.layers = nn.Sequential(EncoderLayer(), EncoderLayer())
        self.norm = nn.LayerNorm(DIM)
        self.classifier = nn.Linear(DIM, CLASSES)

    def forward(self, x):
        x = self.backbone(x).reshape(-1, DIM, STEPS).transpose(1, 2) + self.pos
        return self.classifier(self.norm(self.layers(x)))


def to_input(crops):
    # The model's input is the grayscale pixel scaled to [0, 1], NCHW.
    return torch.from_numpy(crops[:, None].astype(np.float32) / 255.0)


def load(seed, start, count):
    crops, words = zip(*(data.make_crop(seed, i) for i in range(start, start + count)))
    return np.stack(crops), list(words)


def predict(net, crops, batch=256):
    net.eval()
    with torch.no_grad():
        return np.concatenate([net(to_input(crops[i:i + batch])).numpy()
                               for i in range(0, len(crops), batch)])


def ctc_loss(logits, words):
    logp = F.log_softmax(logits, -1).transpose(0, 1)  # ctc_loss wants [T, B, C]
    targets = torch.tensor([c for w in words for c in data.encode(w)])
    lengths = torch.tensor([len(w) for w in words])
    return F.ctc_loss(logp, targets, torch.full((len(words),), STEPS), lengths, zero_infinity=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default="examples/textrec/model.onnx")
    ap.add_argument("--crops", type=int, default=6000, help="fresh training crops per epoch")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--holdout", type=int, default=2000,
                    help="extra validation-seed crops (beyond the committed ones) scored at the end")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    start = time.time()
    xva, wva = load(data.VAL_SEED, 0, data.VAL_COUNT)
    net = TextRec()
    print(f"parameters: {sum(p.numel() for p in net.parameters())}", flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    steps = args.epochs * ((args.crops + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=steps, pct_start=0.1)
    for epoch in range(args.epochs):
        # Every epoch sees crops never seen before: indices keep counting up in the train seed.
        xtr, wtr = load(data.TRAIN_SEED, epoch * args.crops, args.crops)
        net.train()
        perm = torch.randperm(len(xtr)).numpy()
        total = 0.0
        for i in range(0, len(xtr), args.batch):
            idx = perm[i:i + args.batch]
            loss = ctc_loss(net(to_input(xtr[idx])), [wtr[j] for j in idx])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        word, char = data.evaluate(predict(net, xva), wva)
        print(f"epoch {epoch}: loss {total / len(xtr):.4f}  val word {word:.4f} char {char:.4f}"
              f"  ({time.time() - start:.0f} s)", flush=True)
    if args.holdout:
        xho, who = load(data.VAL_SEED, data.VAL_COUNT, args.holdout)
        word, char = data.evaluate(predict(net, xho), who)
        print(f"held-out {args.holdout} crops: word {word:.4f} char {char:.4f}", flush=True)
    common.export(net, to_input(xva[:1]), args.out, "logits")


if __name__ == "__main__":
    main()
