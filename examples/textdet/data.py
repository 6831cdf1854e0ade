"""Synthetic "document" images with word boxes, the training target and the detection metric.

Imported by train.py; run on its own to write the labelled validation set and the calibration set:
    /usr/bin/python3 examples/textdet/data.py [OUT_DIR]   # OUT_DIR defaults to examples/textdet
writes OUT_DIR/val/000.png..095.png + val/boxes.json and OUT_DIR/calib/000.png..015.png.

Image `i` of a set with seed `seed` depends only on (seed, i) (numpy's default_rng([seed, i])),
so every image is reproducible on its own and two runs write the same bytes.
`evaluate()` is the reference definition of the metric (precision, recall, F1 over a whole set);
tpuc reimplements it, so any change here must be mirrored there.
"""
import json
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import FONTS, font  # noqa: E402

H, W = 192, 192
CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
SHRINK = 0.2          # DB's shrink ratio: the kernel loses SHRINK * box height on every side
INK_ALPHA = 64        # a patch pixel is ink when its rotated alpha is at least this (of 255)
GAP = 3               # minimum free pixels between two words' ink boxes
TRAIN_SEED, VAL_SEED, CALIB_SEED = 1, 2, 3
VAL_COUNT, CALIB_COUNT = 96, 16  # committed validation and calibration images

def luminance(rgb):
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def word_alpha(text, fnt, angle):
    """The word's coverage (uint8 alpha) rotated by `angle` degrees, cropped to its visible ink."""
    x0, y0, x1, y1 = fnt.getbbox(text)
    pad = 2
    patch = Image.new("L", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), 0)
    ImageDraw.Draw(patch).text((pad - x0, pad - y0), text, font=fnt, fill=255)
    # Bilinear rather than bicubic: bicubic rings, leaving faint "ink" far from the glyphs.
    alpha = np.asarray(patch.rotate(angle, resample=Image.BILINEAR, expand=True))
    ys, xs = np.nonzero(alpha >= INK_ALPHA)
    if len(ys) == 0:
        return None
    # Sub-threshold halo pixels outside the ink box are dropped: the box is exactly what shows.
    return alpha[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def background(rng):
    base = rng.uniform(0, 255, 3)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    gx, gy = rng.uniform(-25, 25, (2, 3))  # a gentle per-channel gradient across the page
    img = base + gx * (xx[..., None] / W - 0.5) + gy * (yy[..., None] / H - 0.5)
    return img.astype(np.float32), base


def text_colour(rng, bg):
    # Dark or light, anything with at least 100 levels of luminance contrast to the page.
    while True:
        c = rng.uniform(0, 255, 3)
        if abs(luminance(c) - luminance(bg)) >= 100:
            return c


def overlaps(box, boxes):
    return any(box[0] < b[2] + GAP and b[0] < box[2] + GAP and box[1] < b[3] + GAP
               and b[1] < box[3] + GAP for b in boxes)


def make_image(seed, index):
    """One RGB uint8 image [H, W, 3] and its word boxes [[x0, y0, x1, y1], ...], x1 and y1
    exclusive, in the order the words were drawn."""
    rng = np.random.default_rng([seed, index])
    img, bg = background(rng)
    boxes = []
    for _ in range(rng.integers(2, 7)):
        text = "".join(rng.choice(list(CHARS), rng.integers(2, 11)))
        fnt = font(FONTS[rng.integers(len(FONTS))], int(rng.integers(10, 29)))
        alpha = word_alpha(text, fnt, rng.uniform(-5, 5))
        if alpha is None:
            continue
        h, w = alpha.shape
        if w > W - 4 or h > H - 4:
            continue
        for _ in range(30):  # retry placement until the word lands clear of the others
            x, y = int(rng.integers(2, W - w - 1)), int(rng.integers(2, H - h - 1))
            box = [x, y, x + w, y + h]
            if not overlaps(box, boxes):
                a = alpha[..., None].astype(np.float32) / 255
                region = img[y:y + h, x:x + w]
                img[y:y + h, x:x + w] = region * (1 - a) + text_colour(rng, bg) * a
                boxes.append(box)
                break
    img += rng.normal(0, rng.uniform(0, 6), img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), boxes


def kernel_box(box):
    """The text kernel of a word box: shrunk by SHRINK * height on every side, >= 1 px left."""
    x0, y0, x1, y1 = box
    r = int(SHRINK * (y1 - y0) + 0.5)
    rx, ry = min(r, (x1 - x0 - 1) // 2), min(r, (y1 - y0 - 1) // 2)
    return [x0 + rx, y0 + ry, x1 - rx, y1 - ry]


def target(boxes):
    """The training target [H, W] float32: 1 inside every word's kernel, 0 elsewhere."""
    t = np.zeros((H, W), np.float32)
    for b in boxes:
        x0, y0, x1, y1 = kernel_box(b)
        t[y0:y1, x0:x1] = 1
    return t


def components(mask):
    """Bounding boxes [x0, y0, x1, y1] and pixel counts of the 4-connected components of `mask`,
    in raster order of each component's first pixel (top to bottom, then left to right)."""
    h, w = mask.shape
    seen = np.zeros_like(mask, dtype=bool)
    out = []
    for y0, x0 in zip(*np.nonzero(mask)):
        if seen[y0, x0]:
            continue
        seen[y0, x0] = True
        stack, n, box = [(y0, x0)], 0, [x0, y0, x0 + 1, y0 + 1]
        while stack:
            y, x = stack.pop()
            n += 1
            box = [min(box[0], x), min(box[1], y), max(box[2], x + 1), max(box[3], y + 1)]
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        out.append(([int(v) for v in box], n))
    return out


def boxes_from_map(prob, thresh=0.5, min_pixels=4):
    """Predicted word boxes from a probability map [H, W]: components of prob > thresh with at
    least min_pixels pixels, each box grown by round(s * hc / (1 - 2s)) (hc = its height) to undo
    the kernel shrink, then clipped to the map. With s = 0.2 the growth is hc / 3, never a tie."""
    h, w = prob.shape
    out = []
    for (x0, y0, x1, y1), n in components(prob > thresh):
        if n < min_pixels:
            continue
        e = int(math.floor(SHRINK * (y1 - y0) / (1 - 2 * SHRINK) + 0.5))
        out.append([max(0, x0 - e), max(0, y0 - e), min(w, x1 + e), min(h, y1 + e)])
    return out


def iou(a, b):
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def match(pred, gt, min_iou=0.5):
    """Greedy one-to-one matching by decreasing IoU (ties: lower predicted index, then lower
    ground-truth index first); a pair matches when IoU >= min_iou. Returns the match count."""
    pairs = sorted((-iou(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gt))
    used_p, used_g = set(), set()
    for neg, i, j in pairs:
        if -neg < min_iou:
            break
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
    return len(used_p)


def evaluate(prob_maps, gt_boxes):
    """Precision, recall and F1 over a whole set (counts summed, not averaged per image).
    prob_maps: per image a [H, W] probability map; gt_boxes: per image its word boxes."""
    matches = npred = ngt = 0
    for prob, gt in zip(prob_maps, gt_boxes):
        pred = boxes_from_map(np.asarray(prob))
        matches += match(pred, gt)
        npred += len(pred)
        ngt += len(gt)
    p = matches / npred if npred else 0.0
    r = matches / ngt if ngt else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def write_set(out_dir, seed, count, labels):
    os.makedirs(out_dir, exist_ok=True)
    boxes = {}
    for i in range(count):
        img, b = make_image(seed, i)
        Image.fromarray(img).save(os.path.join(out_dir, f"{i:03d}.png"))
        boxes[f"{i:03d}.png"] = b
    if labels:
        # One image per line: readable and diff-friendly.
        lines = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in boxes.items()]
        with open(os.path.join(out_dir, "boxes.json"), "w") as f:
            f.write("{\n" + ",\n".join(lines) + "\n}\n")


def main(out):
    write_set(os.path.join(out, "val"), VAL_SEED, VAL_COUNT, labels=True)
    write_set(os.path.join(out, "calib"), CALIB_SEED, CALIB_COUNT, labels=False)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/textdet")
