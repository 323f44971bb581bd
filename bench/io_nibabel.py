"""Reference side of the I/O benchmark: nibabel + scipy doing what bench/io_native.cpp does.

load (gz) with nibabel as float32, reorient with as_closest_canonical, resample to 1 mm with
scipy.ndimage.affine_transform (order 1, IBSI centre-aligned grid), z-score within the non-zero
mask. Prints one JSON line of milliseconds per repeat.
"""
import json
import sys
import time

import nibabel as nib
import numpy as np
from scipy import ndimage


def ms(start):
    return (time.perf_counter() - start) * 1000.0


def main():
    repeats = int(sys.argv[1])
    files = sys.argv[2:]
    for _ in range(repeats):
        total = {"load": 0.0, "reorient": 0.0, "resample": 0.0, "normalize": 0.0}
        for path in files:
            t = time.perf_counter()
            img = nib.load(path)
            data = img.get_fdata(dtype=np.float32)
            total["load"] += ms(t)

            t = time.perf_counter()
            img = nib.as_closest_canonical(nib.Nifti1Image(data, img.affine, img.header))
            data = np.asanyarray(img.dataobj, dtype=np.float32)
            total["reorient"] += ms(t)

            t = time.perf_counter()
            zooms = np.array(img.header.get_zooms()[:3], dtype=float)
            new_spacing = np.array([1.0, 1.0, 1.0])
            shape = np.array(data.shape)
            new_shape = np.maximum(1, np.ceil(shape * zooms / new_spacing - 1e-9)).astype(int)
            scale = new_spacing / zooms
            offset = (shape - 1) / 2.0 - (new_shape - 1) / 2.0 * scale
            data = ndimage.affine_transform(data, np.diag(scale), offset=offset, output_shape=tuple(new_shape),
                                            order=1, mode="nearest")
            total["resample"] += ms(t)

            t = time.perf_counter()
            mask = data != 0
            values = data[mask]
            data = np.where(mask, (data - values.mean()) / values.std(), 0).astype(np.float32)
            total["normalize"] += ms(t)
        print(json.dumps({k: round(v, 1) for k, v in total.items()}), flush=True)


if __name__ == "__main__":
    main()
