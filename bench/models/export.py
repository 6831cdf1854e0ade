"""Exports the benchmark networks to ONNX with random weights (seeded, so every run sees the same
model) and one seeded input per model: .npz for tpuc, raw float32 .bin for onnxruntime, and the
shape in models.txt. Debian's python3-torch/torchvision.
  python3 export.py OUT_DIR [MODEL ...]        (default: every model)

BatchNorm layers get random affine parameters and running statistics measured on random inputs
(train-mode passes), so each layer's activations are normalized the way a trained network's are:
the int8 benches then see realistic ranges instead of values that grow or vanish with depth. The
last BatchNorm of each residual branch gets a small scale (0.1-0.3), as trained residual networks
keep their branches small beside the skip path (torchvision's zero_init_residual is the extreme):
with unit-scale branches a random BN network amplifies any perturbation layer after layer, so even
bf16 rounding loses 0.4 % output cosine on MobileNetV2, which no trained network does."""
import sys, pathlib
import numpy as np
import torch
import torchvision


class Encoder(torch.nn.Module):
    """A small BERT-like encoder: 4 layers, d_model 256, 4 heads, sequence 128."""

    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(d_model=256, nhead=4, dim_feedforward=1024,
                                                 batch_first=True, activation="gelu")
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers=4, enable_nested_tensor=False)

    def forward(self, x):
        return self.encoder(x)


MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(), (1, 3, 224, 224)),
    "resnet50": (lambda: torchvision.models.resnet50(), (1, 3, 224, 224)),
    "mobilenetv2": (lambda: torchvision.models.mobilenet_v2(), (1, 3, 224, 224)),
    "encoder": (Encoder, (1, 128, 256)),
}


def residual_branch_ends(model):
    """The BatchNorm closing each residual branch of torchvision's ResNets and MobileNetV2."""
    from torchvision.models.resnet import BasicBlock, Bottleneck
    from torchvision.models.mobilenetv2 import InvertedResidual
    for block in model.modules():
        if isinstance(block, BasicBlock):
            yield block.bn2
        elif isinstance(block, Bottleneck):
            yield block.bn3
        elif isinstance(block, InvertedResidual) and block.use_res_connect:
            yield block.conv[-1]


def randomize_batchnorm(model, shape, batches=4, batch_size=8):
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    if not norms:
        return
    for bn in norms:
        torch.nn.init.uniform_(bn.weight, 0.5, 1.5)
        torch.nn.init.uniform_(bn.bias, -0.2, 0.2)
        bn.reset_running_stats()
        bn.momentum = None  # a cumulative average over the passes below
    for bn in residual_branch_ends(model):
        torch.nn.init.uniform_(bn.weight, 0.1, 0.3)
    model.train()
    with torch.no_grad():
        for _ in range(batches):
            model(torch.randn(batch_size, *shape[1:]))


def main(out_dir, names):
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    listing = []
    for name in names or MODELS:
        make, shape = MODELS[name]
        torch.manual_seed(0)
        model = make()
        randomize_batchnorm(model, shape)
        model.eval()
        x = torch.randn(*shape)
        torch.onnx.export(model, x, out / f"{name}.onnx", opset_version=13,
                          input_names=["input"], output_names=["output"])
        np.savez(out / f"{name}.input.npz", input=x.numpy())
        x.numpy().astype("<f4").tofile(out / f"{name}.input.bin")
        listing.append(f"{name} {'x'.join(map(str, shape))}\n")
        print(f"exported {name} {list(shape)}", flush=True)
    (out / "models.txt").write_text("".join(listing))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/bench", sys.argv[2:])
