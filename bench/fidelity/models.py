"""The networks of bench/fidelity beyond the example zoo's, exported the zoo's way
(examples/zoo/export.py: seeded random weights, BatchNorm statistics measured on random inputs,
8 calibration and 2 validation inputs, a tpuc config), for the published BM1684X figures of
../shared/reference/anchors.md section 2.1:
  resnet50_b4, resnet18_b4  torchvision's networks at batch 4
  yolov5s                   YOLOv5s v6.1 (Ultralytics' yolov5s.yaml), 640x640, the three 1x1 head
                            convolutions as outputs (sophon-demo's "3-output" model also reshapes
                            and transposes them, a small copy tpuc leaves out)
  bert_base                 a BERT-base-sized encoder: 12 layers, width 768, 12 heads, MLP 3072,
                            sequence 256 (torchvision's ViT encoder blocks: pre-norm, GELU; the
                            same MACs as BERT-base; the token embedding lookup is left out)
  python3 bench/fidelity/models.py OUT_DIR NAME ...
The time of a network on the chip does not depend on its weights, so random ones do."""
import importlib.util
import pathlib
import sys

import torch
import torchvision
from torchvision.models.vision_transformer import Encoder

REPO = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("zoo_export",
                                               REPO / "examples" / "zoo" / "export.py")
zoo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(zoo)
Conv = zoo.ConvBnSiLU


class C3(torch.nn.Module):
    """YOLOv5's CSP block: two 1x1 branches of c2/2 channels, n bottlenecks on one, concatenated and
    fused by a 1x1 convolution."""

    def __init__(self, c1, c2, n=1, shortcut=True):
        super().__init__()
        c = c2 // 2
        self.cv1 = Conv(c1, c, 1)
        self.cv2 = Conv(c1, c, 1)
        plain = lambda: torch.nn.Sequential(Conv(c, c, 1), Conv(c, c, 3))
        blocks = [zoo.Bottleneck(c) if shortcut else plain() for _ in range(n)]
        self.m = torch.nn.Sequential(*blocks)
        self.cv3 = Conv(2 * c, c2, 1)

    def forward(self, x):
        return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(x)], 1))


class YoloV5s(torch.nn.Module):
    """yolov5s.yaml (v6.1: depth 0.33, width 0.50) with the Detect layer's 1x1 convolutions."""

    def __init__(self, outputs=255):
        super().__init__()
        stem = Conv(3, 32, 6, 2)
        stem.conv.padding = (2, 2)  # yolov5s.yaml's [64, 6, 2, 2]: 640 -> 320
        self.b0 = torch.nn.Sequential(stem, Conv(32, 64, 3, 2), C3(64, 64, 1),
                                      Conv(64, 128, 3, 2), C3(128, 128, 2))           # P3/8
        self.b1 = torch.nn.Sequential(Conv(128, 256, 3, 2), C3(256, 256, 3))         # P4/16
        self.b2 = torch.nn.Sequential(Conv(256, 512, 3, 2), C3(512, 512, 1),
                                      zoo.SPPF(512, 512))                             # P5/32
        self.up = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.h10, self.h13 = Conv(512, 256, 1), C3(512, 256, 1, False)
        self.h14, self.h17 = Conv(256, 128, 1), C3(256, 128, 1, False)
        self.h18, self.h20 = Conv(128, 128, 3, 2), C3(256, 256, 1, False)
        self.h21, self.h23 = Conv(256, 256, 3, 2), C3(512, 512, 1, False)
        self.detect = torch.nn.ModuleList(torch.nn.Conv2d(c, outputs, 1) for c in (128, 256, 512))

    def forward(self, x):
        p3 = self.b0(x)
        p4 = self.b1(p3)
        x10 = self.h10(self.b2(p4))
        x14 = self.h14(self.h13(torch.cat([self.up(x10), p4], 1)))
        n3 = self.h17(torch.cat([self.up(x14), p3], 1))
        n4 = self.h20(torch.cat([self.h18(n3), x14], 1))
        n5 = self.h23(torch.cat([self.h21(n4), x10], 1))
        return tuple(d(t) for d, t in zip(self.detect, (n3, n4, n5)))


def bert_base():
    return Encoder(seq_length=256, num_layers=12, num_heads=12, hidden_dim=768, mlp_dim=3072,
                   dropout=0.0, attention_dropout=0.0)


zoo.MODELS.update({
    "resnet50_b4": (torchvision.models.resnet50, (4, 3, 224, 224), ["output"], 0.99, None),
    "resnet18_b4": (torchvision.models.resnet18, (4, 3, 224, 224), ["output"], 0.99, None),
    "yolov5s": (YoloV5s, (1, 3, 640, 640), ["p3", "p4", "p5"], 0.98, None),
    "bert_base": (bert_base, (1, 256, 768), ["output"], 0.98, None),
})

if __name__ == "__main__":
    zoo.main(sys.argv[1], sys.argv[2:])
