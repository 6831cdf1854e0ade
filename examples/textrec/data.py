"""Synthetic word crops with their words, the CTC label coding and the recognition metric.

Imported by train.py; run on its own to write the labelled validation set and the calibration set:
    /usr/bin/python3 examples/textrec/data.py [OUT_DIR]   # OUT_DIR defaults to examples/textrec
writes OUT_DIR/val/000.png..255.png + val/words.json and OUT_DIR/calib/000.png..015.png.

Crop `i` of a set with seed `seed` depends only on (seed, i) (numpy's default_rng([seed, i])),
so every crop is reproducible on its own and two runs write the same bytes.
`evaluate()` is the reference definition of the metric (greedy CTC decoding, word and character
accuracy); tpuc reimplements it, so any change here must be mirrored there.
"""
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from common import FONTS, font  # noqa: E402

H, W = 32, 128
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"  # class k + 1 is ALPHABET[k]; class 0 is blank
TRAIN_SEED, VAL_SEED, CALIB_SEED = 11, 12, 13
VAL_COUNT, CALIB_COUNT = 256, 16  # committed validation and calibration crops

def word_alpha(text, name, size, angle):
    """The word's coverage (uint8 alpha), rotated, cropped to its ink; shrunk until it fits."""
    while True:
        fnt = font(name, size)
        x0, y0, x1, y1 = fnt.getbbox(text)
        patch = Image.new("L", (x1 - x0 + 4, y1 - y0 + 4), 0)
        ImageDraw.Draw(patch).text((2 - x0, 2 - y0), text, font=fnt, fill=255)
        alpha = np.asarray(patch.rotate(angle, resample=Image.BILINEAR, expand=True))
        ys, xs = np.nonzero(alpha)
        alpha = alpha[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
        # Leave a 2 px margin each side for the jitter; a word too wide is re-drawn smaller.
        if (alpha.shape[1] <= W - 4 and alpha.shape[0] <= H - 4) or size <= 6:
            return alpha
        size -= 1


def make_crop(seed, index):
    """One grayscale uint8 crop [H, W] and its word."""
    rng = np.random.default_rng([seed, index])
    text = "".join(rng.choice(list(ALPHABET), rng.integers(1, 11)))
    alpha = word_alpha(text, FONTS[rng.integers(len(FONTS))], int(rng.integers(14, 27)),
                       rng.uniform(-3, 3))
    h, w = alpha.shape
    # Background and ink levels at least 70 apart, either way round.
    while True:
        bg, ink = rng.uniform(0, 255, 2)
        if abs(bg - ink) >= 70:
            break
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    gx, gy = rng.uniform(-20, 20, 2)
    img = bg + gx * (xx / W - 0.5) + gy * (yy / H - 0.5)
    # Centred, then jittered by up to 4 px across and 2 px down/up (within the image).
    x = int(np.clip((W - w) // 2 + rng.integers(-4, 5), 0, W - w))
    y = int(np.clip((H - h) // 2 + rng.integers(-2, 3), 0, H - h))
    a = alpha.astype(np.float32) / 255
    img[y:y + h, x:x + w] = img[y:y + h, x:x + w] * (1 - a) + ink * a
    img += rng.normal(0, rng.uniform(0, 8), img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8), text


def encode(text):
    return [ALPHABET.index(c) + 1 for c in text]


def decode(classes):
    """Greedy CTC decoding of per-step class indices: collapse repeats, then drop blanks."""
    out, prev = [], 0
    for c in classes:
        if c != prev and c != 0:
            out.append(ALPHABET[c - 1])
        prev = c
    return "".join(out)


def levenshtein(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def evaluate(logits, words):
    """Word accuracy (exact matches / words) and character accuracy (1 - summed Levenshtein
    distances / summed ground-truth lengths) of greedily decoded logits [N, T, 37] (or per word
    [T, 37]); argmax ties go to the lowest class index."""
    hits = dist = chars = 0
    for lg, word in zip(logits, words):
        pred = decode(np.asarray(lg).argmax(-1).tolist())
        hits += pred == word
        dist += levenshtein(pred, word)
        chars += len(word)
    return hits / len(words), 1 - dist / chars


def write_set(out_dir, seed, count, labels):
    os.makedirs(out_dir, exist_ok=True)
    words = {}
    for i in range(count):
        img, words[f"{i:03d}.png"] = make_crop(seed, i)
        Image.fromarray(img).save(os.path.join(out_dir, f"{i:03d}.png"))
    if labels:
        with open(os.path.join(out_dir, "words.json"), "w") as f:
            json.dump(words, f, indent=0)
            f.write("\n")


def main(out):
    write_set(os.path.join(out, "val"), VAL_SEED, VAL_COUNT, labels=True)
    write_set(os.path.join(out, "calib"), CALIB_SEED, CALIB_COUNT, labels=False)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/textrec")
