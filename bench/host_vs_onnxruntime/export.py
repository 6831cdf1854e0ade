"""Exports the three benchmark networks to ONNX with random weights (seeded, so every run sees the
same model) and one seeded input per model: .npz for tpuc, raw float32 .bin for onnxruntime, and
the shape in models.txt. Debian's python3-torch/torchvision."""
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
    "resnet50": (lambda: torchvision.models.resnet50(), (1, 3, 224, 224)),
    "mobilenetv2": (lambda: torchvision.models.mobilenet_v2(), (1, 3, 224, 224)),
    "encoder": (Encoder, (1, 128, 256)),
}


def main(out_dir):
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    listing = []
    for name, (make, shape) in MODELS.items():
        torch.manual_seed(0)
        model = make().eval()
        x = torch.randn(*shape)
        torch.onnx.export(model, x, out / f"{name}.onnx", opset_version=13,
                          input_names=["input"], output_names=["output"])
        np.savez(out / f"{name}.input.npz", input=x.numpy())
        x.numpy().astype("<f4").tofile(out / f"{name}.input.bin")
        listing.append(f"{name} {'x'.join(map(str, shape))}\n")
        print(f"exported {name} {list(shape)}", flush=True)
    (out / "models.txt").write_text("".join(listing))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/bench")
