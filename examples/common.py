"""What the trained examples' scripts share: Debian's DejaVu fonts (fonts-dejavu) for rendering
text, and the ONNX export every example is committed through."""
import os

import numpy as np
from PIL import ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
         "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"]

_fonts = {}


def font(name, size):
    key = (name, size)
    if key not in _fonts:
        _fonts[key] = ImageFont.truetype(os.path.join(FONT_DIR, name), size)
    return _fonts[key]


def export(net, x, out_path, output_name):
    """Exports `net` on input `x` (named `image`) to ONNX opset 13, then checks the file with
    onnx.checker and onnxruntime where those modules are installed."""
    import torch  # here: the data generators import this module without torch
    net.eval()
    # PRESERVE + no constant folding keeps BatchNormalization as its own (inference-mode) node,
    # as real exported models have it; tpuc's fold-batchnorm pass is what removes it.
    torch.onnx.export(net, x, out_path, opset_version=13, input_names=["image"],
                      output_names=[output_name], training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
    print(f"wrote {out_path} ({os.path.getsize(out_path)} bytes)")
    try:
        import onnx
        import onnx.checker
        onnx.checker.check_model(onnx.load(out_path))
        print("onnx.checker: ok")
    except ImportError:
        print("onnx.checker: skipped (no onnx python module)")
    try:
        import onnxruntime
        sess = onnxruntime.InferenceSession(out_path)
        got = sess.run(None, {"image": x.numpy()})[0]
        with torch.no_grad():
            print(f"onnxruntime vs torch: max abs diff {np.abs(got - net(x).numpy()).max():.2e}")
    except ImportError:
        print("onnxruntime vs torch: skipped (no onnxruntime)")
