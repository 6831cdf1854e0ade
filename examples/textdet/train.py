"""Train the text-detection example (MobileNetV3-small-like backbone, FPN, DB-style head) on
synthetic documents (data.py) and export it to ONNX (opset 13).

Run once by a developer with Debian's python3-torch; the build never retrains, model.onnx is
committed:
    /usr/bin/python3 examples/textdet/train.py [--images N] [--epochs E] [OUT.onnx]
Defaults: 2400 training images, 5 epochs, examples/textdet/model.onnx (3-4 min on 2 cores).
Input `image` [1, 3, 192, 192]: RGB pixels / 255. Output `prob` [1, 1, 192, 192]: the text-kernel
probability; data.evaluate() turns maps into boxes and scores them. Prints the validation
precision, recall and F1 after every epoch, and at the end on --holdout more images.
"""
import argparse
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


def conv_bn(cin, cout, k, stride=1, groups=1, act=nn.Hardswish):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, act()) if act else nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, c):
        super().__init__()
        mid = max(8, c // 4)
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, mid, 1), nn.ReLU(),
                                  nn.Conv2d(mid, c, 1), nn.Hardsigmoid())

    def forward(self, x):
        return x * self.gate(x)


class InvertedResidual(nn.Module):
    """MobileNetV3 block: 1x1 expand, kxk depthwise, optional SE, 1x1 project (+ skip)."""

    def __init__(self, cin, exp, cout, k, stride, se, act):
        super().__init__()
        layers = [conv_bn(cin, exp, 1, act=act)] if exp != cin else []
        layers.append(conv_bn(exp, exp, k, stride, groups=exp, act=act))
        if se:
            layers.append(SqueezeExcite(exp))
        layers.append(conv_bn(exp, cout, 1, act=None))
        self.body = nn.Sequential(*layers)
        self.skip = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.skip else self.body(x)


RE, HS = nn.ReLU, nn.Hardswish
# (in, expand, out, kernel, stride, SE, activation); a slimmed MobileNetV3-small.
BLOCKS = [
    [(16, 16, 16, 3, 2, True, RE)],                                   # stride 4
    [(16, 64, 24, 3, 2, False, RE), (24, 72, 24, 3, 1, False, RE)],   # stride 8
    [(24, 96, 40, 5, 2, True, HS), (40, 160, 40, 5, 1, True, HS),
     (40, 160, 48, 5, 1, True, HS)],                                  # stride 16
    [(48, 192, 64, 5, 2, True, HS), (64, 256, 64, 5, 1, True, HS)],   # stride 32
]


class TextDet(nn.Module):
    def __init__(self, fpn=64, branch=16):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 2)
        self.stages = nn.ModuleList(
            nn.Sequential(*(InvertedResidual(*b) for b in stage)) for stage in BLOCKS)
        outs = [stage[-1][2] for stage in BLOCKS]
        self.lateral = nn.ModuleList(nn.Conv2d(c, fpn, 1) for c in outs)
        self.smooth = nn.ModuleList(nn.Conv2d(fpn, branch, 3, padding=1) for _ in outs)
        c = branch * len(outs)
        self.head = nn.Sequential(
            nn.Conv2d(c, c // 4, 3, padding=1, bias=False), nn.BatchNorm2d(c // 4), nn.ReLU(),
            nn.ConvTranspose2d(c // 4, c // 4, 2, 2), nn.BatchNorm2d(c // 4), nn.ReLU(),
            nn.ConvTranspose2d(c // 4, 1, 2, 2), nn.Sigmoid())

    def forward(self, x):
        feats = []
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
            feats.append(x)
        # Top-down FPN: each level adds the coarser level upsampled x2.
        lat = [conv(f) for conv, f in zip(self.lateral, feats)]
        for i in range(len(lat) - 2, -1, -1):
            lat[i] = lat[i] + F.interpolate(lat[i + 1], scale_factor=2.0, mode="nearest")
        maps = [conv(p) for conv, p in zip(self.smooth, lat)]
        maps = [m if i == 0 else F.interpolate(m, scale_factor=2.0 ** i, mode="nearest")
                for i, m in enumerate(maps)]
        return self.head(torch.cat(maps, 1))


def to_input(images):
    # The model's input is RGB pixels scaled to [0, 1], NCHW.
    return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float() / 255.0


def loss_fn(prob, tgt):
    bce = F.binary_cross_entropy(prob, tgt)
    # Dice counters the imbalance: text kernels cover a few percent of the page.
    inter = (prob * tgt).sum()
    dice = 1 - (2 * inter + 1) / (prob.sum() + tgt.sum() + 1)
    return bce + dice


def predict(net, images, batch=16):
    net.eval()
    with torch.no_grad():
        return np.concatenate([net(to_input(images[i:i + batch]))[:, 0].numpy()
                               for i in range(0, len(images), batch)])


def load(seed, count):
    imgs, boxes = zip(*(data.make_image(seed, i) for i in range(count)))
    return np.stack(imgs), list(boxes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default="examples/textdet/model.onnx")
    ap.add_argument("--images", type=int, default=2400)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--holdout", type=int, default=512,
                    help="extra validation-seed images (beyond the committed ones) scored at the end")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    start = time.time()
    xtr, btr = load(data.TRAIN_SEED, args.images)
    ytr = torch.from_numpy(np.stack([data.target(b) for b in btr]))[:, None]
    xva, bva = load(data.VAL_SEED, data.VAL_COUNT)
    print(f"generated {len(xtr)} training images in {time.time() - start:.0f} s", flush=True)
    net = TextDet()
    print(f"parameters: {sum(p.numel() for p in net.parameters())}", flush=True)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    steps = args.epochs * ((len(xtr) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 4e-3, total_steps=steps, pct_start=0.15)
    for epoch in range(args.epochs):
        net.train()
        perm = torch.randperm(len(xtr)).numpy()
        total = 0.0
        for i in range(0, len(xtr), args.batch):
            idx = perm[i:i + args.batch]
            loss = loss_fn(net(to_input(xtr[idx])), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        p, r, f1 = data.evaluate(predict(net, xva), bva)
        print(f"epoch {epoch}: loss {total / len(xtr):.4f}  val P {p:.4f} R {r:.4f} F1 {f1:.4f}"
              f"  ({time.time() - start:.0f} s)", flush=True)
    if args.holdout:
        # More of the same seed, never trained on, for a steadier figure.
        first = data.VAL_COUNT
        xho, bho = zip(*(data.make_image(data.VAL_SEED, i) for i in range(first, first + args.holdout)))
        p, r, f1 = data.evaluate(predict(net, np.stack(xho)), list(bho))
        print(f"held-out {args.holdout} images: P {p:.4f} R {r:.4f} F1 {f1:.4f}", flush=True)
    common.export(net, to_input(xva[:1]), args.out, "prob")


if __name__ == "__main__":
    main()
