"""Exports torchvision architectures that are not in the example zoo (issue 17's targets) with
examples/zoo/export.py's machinery: seeded random weights, BatchNorm statistics measured on random
inputs, opset 13, 8 calibration and 2 validation inputs, and one tpuc compile config per model and
precision (int8 with the target's policy, or the precision search where marked; f16). Debian's
python3-torch/torchvision; nothing is downloaded.
  python3 bench/torchvision/export.py OUT_DIR [NAME ...]     (default: every model)
writes OUT_DIR/{models,data,configs}/ as the zoo's export does, plus OUT_DIR/configs/NAME-f16.yaml
and the manifest OUT_DIR/zoo.yaml for `tpuc zoo`."""
import collections
import importlib.util
import os
import pathlib
import re
import sys

import torch
import torchvision
from torchvision.models.detection.backbone_utils import mobilenet_backbone, resnet_fpn_backbone

REPO = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("zoo_export",
                                               REPO / "examples" / "zoo" / "export.py")
zoo = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(zoo)
F16 = REPO / "configs" / "quant" / "f16.yaml"

# The exports scale the BatchNorm closing each residual branch to 0.1–0.3, as trained residual
# networks behave (bench/models/export.py's randomize_batchnorm); extend the blocks it knows with
# the residual blocks of the families here.
_zoo_branch_ends = zoo.bench.residual_branch_ends


def _residual_branch_ends(model):
    from torchvision.models.mnasnet import _InvertedResidual
    from torchvision.models.mobilenetv3 import InvertedResidual
    from torchvision.models.regnet import ResBottleneckBlock
    yield from _zoo_branch_ends(model)
    for block in model.modules():
        if isinstance(block, InvertedResidual) and block.use_res_connect:
            yield block.block[-1][1]  # the projection's BatchNorm (no activation)
        elif isinstance(block, _InvertedResidual) and block.apply_residual:
            yield block.layers[-1]
        elif isinstance(block, ResBottleneckBlock):
            yield block.f.c[1]


zoo.bench.residual_branch_ends = _residual_branch_ends


class FeaturePyramid(torch.nn.Module):
    """A detection backbone with its FPN, its feature maps returned as a tuple (the exporter
    takes no dict); BatchNorm2d in place of the detectors' frozen statistics, so the export's
    randomized statistics fold as every other network's."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone

    def forward(self, x):
        return tuple(self.backbone(x).values())


FPN_OUTPUTS = ["p0", "p1", "p2", "p3", "pool"]


class OpMix(torch.nn.Module):
    """Not a torchvision model: the ops of other networks no family here has — PReLU,
    InstanceNorm, Mish (Softplus, Tanh), ceil-mode average pooling that leaves the padding out of
    the count, CBAM-style spatial attention (the channels' mean, max and sum), Where, Greater,
    Sqrt, Abs and Log."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.PReLU(32),
                                  nn.InstanceNorm2d(32, affine=True))
        self.body = nn.Sequential(nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.Mish(),
                                  nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
                                  nn.Conv2d(64, 64, 3, padding=1), nn.Tanh())
        self.attention = nn.Conv2d(3, 1, 7, padding=3)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        y = self.body(self.stem(x))
        maps = [y.mean(1, keepdim=True), y.amax(1, keepdim=True), y.sum(1, keepdim=True)]
        y = y * torch.sigmoid(self.attention(torch.cat(maps, 1)))
        y = torch.where(y > 0.1, y, torch.zeros_like(y)) + 0.1 * torch.sqrt(y.abs() + 1e-3)
        return self.head(torch.log(1 + y * y).mean((2, 3)))

# The example zoo's output cosine tolerance, which every model here must meet.
MIN_COSINE = 0.98

# An exported model: its constructor, input shape, output names, and whether int8 takes the
# precision search (sensitive layers in f16, as the zoo's ShuffleNetV2 does).
Model = collections.namedtuple("Model", "make shape outputs search",
                               defaults=(["output"], False))
IMAGE = (1, 3, 224, 224)

# One architecture per torchvision classification family (the smallest variant), and the ops
# each brings that the example zoo does not have; the segmentation heads; detection backbones with
# their FPNs.
MODELS = {
    "alexnet": Model(torchvision.models.alexnet, IMAGE),  # large kernels, classifier Gemms
    "vgg11": Model(torchvision.models.vgg11, IMAGE),
    "googlenet": Model(  # ceil_mode MaxPool, 4-branch Concat
        lambda: torchvision.models.googlenet(aux_logits=False, init_weights=True), IMAGE),
    "inception_v3": Model(  # AveragePool 3x3, asymmetric kernels
        lambda: torchvision.models.inception_v3(aux_logits=False, init_weights=True),
        (1, 3, 299, 299)),
    "densenet121": Model(torchvision.models.densenet121, IMAGE),  # pre-activation BN
    "resnext50_32x4d": Model(torchvision.models.resnext50_32x4d, IMAGE),  # groups 32
    "regnet_x_400mf": Model(torchvision.models.regnet_x_400mf, IMAGE),  # grouped convs
    "regnet_y_400mf": Model(torchvision.models.regnet_y_400mf, IMAGE),  # and SE
    "mnasnet0_5": Model(torchvision.models.mnasnet0_5, IMAGE),  # ReduceMean pooling
    "mobilenet_v3_small": Model(torchvision.models.mobilenet_v3_small, IMAGE),  # HardSwish
    "convnext_tiny": Model(torchvision.models.convnext_tiny, IMAGE),  # layer scale
    "lraspp_mobilenet_v3_large": Model(
        lambda: torchvision.models.segmentation.lraspp_mobilenet_v3_large(weights_backbone=None),
        IMAGE),
    "fcn_resnet50": Model(  # dilated ResNet-50, bilinear upsampling to the input
        lambda: torchvision.models.segmentation.fcn_resnet50(weights_backbone=None), IMAGE),
    "deeplabv3_mobilenet_v3_large": Model(  # ASPP: dilations 12, 24, 36 and image pooling
        lambda: torchvision.models.segmentation.deeplabv3_mobilenet_v3_large(
            weights_backbone=None), IMAGE, search=True),
    "resnet18_fpn": Model(  # Faster R-CNN's backbone: FPN with nearest upsampling, max pool level
        lambda: FeaturePyramid(resnet_fpn_backbone(
            backbone_name="resnet18", weights=None, norm_layer=torch.nn.BatchNorm2d,
            trainable_layers=5)), IMAGE, FPN_OUTPUTS),
    "mobilenet_v3_large_fpn": Model(  # fasterrcnn_mobilenet_v3_large_fpn's backbone
        lambda: FeaturePyramid(mobilenet_backbone(
            backbone_name="mobilenet_v3_large", weights=None, fpn=True,
            norm_layer=torch.nn.BatchNorm2d, trainable_layers=6)), IMAGE, FPN_OUTPUTS[2:],
        search=True),
    "op_mix": Model(OpMix, (1, 3, 64, 64)),
}


def main(out_dir, names):
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit(f"unknown model(s): {', '.join(unknown)}; known: {', '.join(MODELS)}")
    out = pathlib.Path(out_dir)
    names = names or list(MODELS)
    for name in names:
        m = MODELS[name]
        policy = zoo.SEARCH if m.search else None
        zoo.MODELS[name] = (m.make, m.shape, m.outputs, MIN_COSINE, policy)
    zoo.main(str(out), names)
    manifest = ["# Generated by bench/torchvision/export.py: each model in int8 and in f16.",
                "output_dir: compiled", "timeout_s: 1800", "models:"]
    for name in names:
        int8 = out / "configs" / f"{name}.yaml"
        f16 = out / "configs" / f"{name}-f16.yaml"
        policy = f"  policy: {os.path.relpath(F16, f16.parent)}\n"
        text = re.sub(r"^  policy: .*\n", "", int8.read_text(), flags=re.M)  # the search's
        f16.write_text(text.replace("quantization:\n", "quantization:\n" + policy, 1)
                       .replace(f"compiled/{name}", f"compiled/{name}-f16"))
        for config, suffix in ((int8, ""), (f16, "-f16")):
            manifest += [f"  - name: {name}{suffix}", f"    config: configs/{config.name}",
                         f"    min_cosine: {MIN_COSINE}"]
    (out / "zoo.yaml").write_text("\n".join(manifest) + "\n")


if __name__ == "__main__":
    default_out = str(REPO / "out" / "torchvision-models")
    main(sys.argv[1] if len(sys.argv) > 1 else default_out, sys.argv[2:])
