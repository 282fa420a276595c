#!/usr/bin/python3
"""Writes scikit-learn's digits (1,797 real 8x8 scans of handwritten digits, 10 classes, shipped inside the package,
no download) as 32x32 PNGs in train/ and val/ (every 5th image, after a seeded shuffle, to val/): a second real data
set of small images for checking that training defaults hold beyond ants/bees. Needs Debian's python3-sklearn
(apt-get install python3-sklearn) under /usr/bin/python3. Usage: digits-dataset.py OUTPUT_FOLDER"""
import os, struct, sys, zlib
import numpy as np
from sklearn.datasets import load_digits

def write_gray_png(path, pixels):
    height, width = pixels.shape
    raw = b''.join(b'\x00' + bytes(row) for row in pixels)
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))

out = sys.argv[1]
digits = load_digits()
for n, i in enumerate(np.random.RandomState(0).permutation(len(digits.target))):
    folder = os.path.join(out, 'val' if n % 5 == 0 else 'train', str(digits.target[i]))
    os.makedirs(folder, exist_ok=True)
    ink = (255 - digits.images[i] * 255 / 16).astype(np.uint8)  # dark ink on white, 0..16 -> 255..0
    write_gray_png(os.path.join(folder, f'{i:04d}.png'), np.kron(ink, np.ones((4, 4), dtype=np.uint8)))
