"""Generates the example model zoo (examples/zoo/zoo.yaml): each architecture exported to ONNX
(opset 13, batch 1) with seeded random weights, a seeded dataset of .npy inputs and a tpuc compile
config. Debian's python3-torch/torchvision; nothing is downloaded.
  python3 examples/zoo/export.py [OUT_DIR [NAME ...]]     (default out/zoo-models, every model)
writes
  OUT_DIR/models/NAME.onnx
  OUT_DIR/data/NAME/calib/NNN.npy   8 standard-normal float32 inputs of the model's input shape
  OUT_DIR/data/NAME/val/NNN.npy     2 others, for validation (not seen by calibration)
  OUT_DIR/configs/NAME.yaml         docs/config.md format, paths relative to the config itself
Running it twice gives byte-identical files.

BatchNorm statistics and the small scale of residual branches' last BatchNorm come from
bench/models/export.py (see its docstring); this file only adds the residual blocks of the
architectures that file does not know (EfficientNet's MBConv, the detector's bottlenecks)."""
import importlib.util
import os
import pathlib
import sys
import warnings
import zlib

import numpy as np
import torch
import torchvision

REPO = pathlib.Path(__file__).resolve().parents[2]
TARGET = REPO / "configs" / "targets" / "bm1684x-int8.yaml"
SEARCH = REPO / "configs" / "quant" / "int8_search.yaml"  # int8, sensitive layers in f16 (precision search)

_spec = importlib.util.spec_from_file_location("bench_models_export", REPO / "bench" / "models" / "export.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

CALIBRATION_COUNT, VALIDATION_COUNT = 8, 2

# The tracer's notes on shape asserts (ViT) and on the constant scales of Upsample (detector): the
# exports are for the fixed batch-1 shapes they were traced with.
warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")


# --- a small YOLO-style detector ------------------------------------------------------------------
class ConvBnSiLU(torch.nn.Module):
    def __init__(self, c_in, c_out, k=1, s=1):
        super().__init__()
        self.conv = torch.nn.Conv2d(c_in, c_out, k, s, k // 2, bias=False)
        self.bn = torch.nn.BatchNorm2d(c_out)
        self.act = torch.nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(torch.nn.Module):
    """1x1 then 3x3, added to the input (YOLOv5's bottleneck)."""

    def __init__(self, c):
        super().__init__()
        self.cv1 = ConvBnSiLU(c, c, 1)
        self.cv2 = ConvBnSiLU(c, c, 3)

    def forward(self, x):
        return x + self.cv2(self.cv1(x))


class SPPF(torch.nn.Module):
    """Spatial pyramid pooling (fast): three chained 5x5 max-pools, concatenated."""

    def __init__(self, c_in, c_out):
        super().__init__()
        c = c_in // 2
        self.cv1 = ConvBnSiLU(c_in, c, 1)
        self.pool = torch.nn.MaxPool2d(5, 1, 2)
        self.cv2 = ConvBnSiLU(4 * c, c_out, 1)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.pool(x)
        y2 = self.pool(y1)
        return self.cv2(torch.cat([x, y1, y2, self.pool(y2)], 1))


class TinyYolo(torch.nn.Module):
    """Backbone of strided ConvBnSiLU + bottlenecks, SPPF, a top-down neck (nearest 2x upsample +
    concat) and 1x1 detection heads: 3 anchors x (80 classes + 5) = 255 channels at strides 8, 16
    and 32 ([1, 255, 40, 40], [1, 255, 20, 20], [1, 255, 10, 10] for a 320x320 input)."""

    def __init__(self, outputs=255):
        super().__init__()
        self.stem = torch.nn.Sequential(ConvBnSiLU(3, 16, 3, 2), ConvBnSiLU(16, 32, 3, 2), Bottleneck(32))
        self.stage3 = torch.nn.Sequential(ConvBnSiLU(32, 64, 3, 2), Bottleneck(64), Bottleneck(64))
        self.stage4 = torch.nn.Sequential(ConvBnSiLU(64, 128, 3, 2), Bottleneck(128))
        self.stage5 = torch.nn.Sequential(ConvBnSiLU(128, 256, 3, 2), Bottleneck(256), SPPF(256, 256))
        self.up = torch.nn.Upsample(scale_factor=2, mode="nearest")
        self.lateral5 = ConvBnSiLU(256, 128, 1)
        self.fuse4 = ConvBnSiLU(256, 128, 3)
        self.lateral4 = ConvBnSiLU(128, 64, 1)
        self.fuse3 = ConvBnSiLU(128, 64, 3)
        self.head3 = torch.nn.Conv2d(64, outputs, 1)
        self.head4 = torch.nn.Conv2d(128, outputs, 1)
        self.head5 = torch.nn.Conv2d(256, outputs, 1)

    def forward(self, x):
        p3 = self.stage3(self.stem(x))
        p4 = self.stage4(p3)
        p5 = self.stage5(p4)
        n4 = self.fuse4(torch.cat([self.up(self.lateral5(p5)), p4], 1))
        n3 = self.fuse3(torch.cat([self.up(self.lateral4(n4)), p3], 1))
        return self.head3(n3), self.head4(n4), self.head5(p5)


def small_vit():
    """torchvision's VisionTransformer, small: patch 16, dim 192, 4 layers, 3 heads (ViT-Tiny
    widths, a third of its depth). torchvision initializes for training, not as a trained network
    looks: the classifier is zero (an output with no cosine to check) and so is the class token,
    which then starts ~50x smaller than the patch tokens (position embeddings only) in a residual
    stream where it
    gets a sliver of one per-tensor int8 scale; a trained class token is as large as the patch
    tokens. Both get random values: the class token of the patch embeddings' unit scale."""
    model = torchvision.models.VisionTransformer(image_size=224, patch_size=16, num_layers=4, num_heads=3,
                                                 hidden_dim=192, mlp_dim=768)
    torch.nn.init.normal_(model.class_token)
    torch.nn.init.normal_(model.heads.head.weight, std=192 ** -0.5)
    torch.nn.init.uniform_(model.heads.head.bias, -0.1, 0.1)
    return model


# name: (constructor, input shape, output names, min_cosine of the generated config, quantization
# policy: None for the target's int8; ShuffleNet's int8 error grows block after block through its
# concatenations (0.978 at the output), so its sensitive layers go to f16 by the precision search)
MODELS = {
    "resnet18": (torchvision.models.resnet18, (1, 3, 224, 224), ["output"], 0.99, None),
    "resnet50": (torchvision.models.resnet50, (1, 3, 224, 224), ["output"], 0.99, None),
    "mobilenet_v2": (torchvision.models.mobilenet_v2, (1, 3, 224, 224), ["output"], 0.98, None),
    "squeezenet1_1": (torchvision.models.squeezenet1_1, (1, 3, 224, 224), ["output"], 0.99, None),
    "shufflenet_v2_x0_5": (torchvision.models.shufflenet_v2_x0_5, (1, 3, 224, 224), ["output"], 0.98, SEARCH),
    "efficientnet_b0": (torchvision.models.efficientnet_b0, (1, 3, 224, 224), ["output"], 0.98, None),
    "vit_small": (small_vit, (1, 3, 224, 224), ["output"], 0.98, None),
    "yolo_tiny": (TinyYolo, (1, 3, 320, 320), ["p3", "p4", "p5"], 0.98, None),
}

# bench/models/export.py's randomize_batchnorm looks residual_branch_ends up in its module when it
# runs: extend it with the residual blocks of the architectures above that it does not know.
_bench_branch_ends = bench.residual_branch_ends


def _residual_branch_ends(model):
    from torchvision.models.efficientnet import MBConv
    yield from _bench_branch_ends(model)
    for block in model.modules():
        if isinstance(block, MBConv) and block.use_res_connect:
            yield block.block[-1][1]  # the projection's BatchNorm (Conv2dNormActivation without activation)
        elif isinstance(block, Bottleneck):
            yield block.cv2.bn


bench.residual_branch_ends = _residual_branch_ends


def write_config(path, name, min_cosine, policy):
    here = path.parent
    rel = lambda p: pathlib.Path(os.path.relpath(p, here)).as_posix()
    out = here.parent
    path.write_text(
        f"# {name}: generated by examples/zoo/export.py (seeded random weights); keys in docs/config.md.\n"
        f"include: {rel(TARGET)}\n"
        f"model: {rel(out / 'models' / f'{name}.onnx')}\n"
        f"quantization:\n"
        + (f"  policy: {rel(policy)}\n" if policy else "")
        + f"  calibration:\n"
        f"    dataset: {{images: {rel(out / 'data' / name / 'calib')}}}\n"
        f"    count: {CALIBRATION_COUNT}\n"
        f"    method: mse\n"
        f"validation:\n"
        f"  dataset: {{images: {rel(out / 'data' / name / 'val')}}}\n"
        f"  count: {VALIDATION_COUNT}\n"
        f"  tolerance: {{min_cosine: {min_cosine}}}\n"
        f"output_dir: {rel(out / 'compiled' / name)}\n")


def write_data(folder, rng, shape, count):
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.npy"):
        old.unlink()
    for i in range(count):
        np.save(folder / f"{i:03d}.npy", rng.standard_normal(shape, dtype=np.float32))


def export(out, name):
    make, shape, outputs, min_cosine, policy = MODELS[name]
    torch.manual_seed(0)
    model = make()
    bench.randomize_batchnorm(model, shape)
    model.eval()
    x = torch.randn(*shape)
    torch.onnx.export(model, x, out / "models" / f"{name}.onnx", opset_version=13,
                      input_names=["input"], output_names=outputs)
    rng = np.random.default_rng([0, zlib.crc32(name.encode())])
    write_data(out / "data" / name / "calib", rng, shape, CALIBRATION_COUNT)
    write_data(out / "data" / name / "val", rng, shape, VALIDATION_COUNT)
    write_config(out / "configs" / f"{name}.yaml", name, min_cosine, policy)


def main(out_dir, names):
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(MODELS)}")
    out = pathlib.Path(out_dir)
    for sub in ("models", "data", "configs"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    for name in names or MODELS:
        export(out, name)
        print(f"exported {name} {list(MODELS[name][1])} -> {out / 'configs' / (name + '.yaml')}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(REPO / "out" / "zoo-models"), sys.argv[2:])
