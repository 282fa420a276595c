#!/usr/bin/python3
"""Builds a TIGHT-CROP copy of an image-folder data set (e.g. ants/bees): from every image it cuts the central square
of side 0.6 x the shorter side (the objects are mostly central, so this removes the margins and the object fills the
frame) and saves it as a 224x224 JPEG (quality 95, high-quality Lanczos resize), keeping the same sub-folders
(train/ and val/, one folder per class). Every image of the result is square, for measuring the views (crop, fill,
isocrop) on tight or pre-cropped images. Needs Pillow (Debian's python3-pil) under /usr/bin/python3.
Usage: tight-crop-dataset.py SOURCE_FOLDER OUTPUT_FOLDER [FRACTION, default 0.6]"""
import os, sys
from PIL import Image, ImageOps

source, out = sys.argv[1], sys.argv[2]
fraction = float(sys.argv[3]) if len(sys.argv) > 3 else 0.6
extensions = ('.jpg', '.jpeg', '.png', '.bmp', '.gif', '.webp')
count = 0
for folder, _, names in os.walk(source):
    for name in sorted(names):
        if not name.lower().endswith(extensions):
            continue
        with Image.open(os.path.join(folder, name)) as image:
            image = ImageOps.exif_transpose(image).convert('RGB')
            width, height = image.size
            side = max(1, round(fraction * min(width, height)))
            left, top = (width - side) // 2, (height - side) // 2
            square = image.crop((left, top, left + side, top + side)).resize((224, 224), Image.LANCZOS)
        target = os.path.join(out, os.path.relpath(folder, source))
        os.makedirs(target, exist_ok=True)
        square.save(os.path.join(target, os.path.splitext(name)[0] + '.jpg'), 'JPEG', quality=95)
        count += 1
print(f'{count} images written under {out}')
