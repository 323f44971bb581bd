#!/usr/bin/env python3
"""Independent reference for the Wavelet image type in PyRadiomics' convention, computed with PyWavelets.

PyRadiomics (imageoperations.getWaveletImage / _swt3) takes the image it is given (the whole image, or the
cropped resampled image), pads every odd axis by one voxel at its end with wrap-around, runs pywt.swtn
(level 1, start level 0, its implicit periodic extension) over the axes x, y, z, names the sub-bands by
turning 'a' into 'L' and 'd' into 'H' in pywt's keys (first letter: x, second: y, third: z) and drops the
padding again. This script does the same with PyWavelets and numpy only, on arrays indexed [x, y, z]
(nibabel's order; PyRadiomics' SimpleITK arrays are [z, y, x] with axes (2, 1, 0): the same transform).

Writes, next to this file:
  wavelet_tiny.csv    every voxel of the eight sub-bands of a 5x4x3 synthetic volume (odd x and z)
  wavelet_slice.csv   the same for a single slice, 6x5x1
  wavelet_tiny2d.csv  the 5x4x3 volume with force2D (axes x, y only): the four sub-bands
  wavelet_border.csv  first-order statistics per sub-band within masks that touch the image border, 9x8x7
  wavelet_brain1.csv  PyRadiomics first-order features per sub-band within label 1 of brain1 (no resampling)

Run: /usr/bin/python3 tests/reference/filters/wavelet_reference.py   (Debian: python3-pywt python3-nibabel)
"""
import os
import sys

import numpy as np
import pywt

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))


def synthetic(dims):
    """The synthetic volume the C++ test builds too: exact in float32."""
    i, j, k = np.meshgrid(*[np.arange(n) for n in dims], indexing="ij")
    return (((i * 7 + j * 13 + k * 29 + i * j * 3) % 23) - 5 + 0.25 * k).astype(np.float64)


def swt_bands(vol, axes=(0, 1, 2)):
    """{name: band} for the coif1 level-1 sub-bands, PyRadiomics' names, same shape as vol. axes (0, 1): force2D."""
    vol = np.asarray(vol, dtype=np.float64)
    pad = [(0, n % 2) for n in vol.shape]
    padded = np.pad(vol, pad, mode="wrap")
    coeffs = pywt.swtn(padded, "coif1", level=1, start_level=0, axes=axes)[0]
    crop = tuple(slice(0, n) for n in vol.shape)
    return {key.replace("a", "L").replace("d", "H"): band[crop] for key, band in coeffs.items()}


BAND_ORDER = ["LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH", "LLL"]


def firstorder(x):
    """PyRadiomics first-order features that need no binning (voxelArrayShift 0)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    mean = x.mean()
    d = x - mean
    m2 = (d ** 2).mean()
    m3 = (d ** 3).mean()
    m4 = (d ** 4).mean()
    p10, p90 = np.percentile(x, 10), np.percentile(x, 90)
    inner = x[(x >= p10) & (x <= p90)]
    return [
        ("Mean", mean),
        ("Minimum", x.min()),
        ("Maximum", x.max()),
        ("Median", np.median(x)),
        ("Range", x.max() - x.min()),
        ("Variance", m2),
        ("Skewness", m3 / m2 ** 1.5 if m2 > 0 else 0.0),
        ("Kurtosis", m4 / m2 ** 2 if m2 > 0 else 0.0),
        ("Energy", float((x ** 2).sum())),
        ("RootMeanSquared", float(np.sqrt((x ** 2).sum() / n))),
        ("MeanAbsoluteDeviation", np.abs(d).mean()),
        ("10Percentile", p10),
        ("90Percentile", p90),
        ("InterquartileRange", np.percentile(x, 75) - np.percentile(x, 25)),
        ("RobustMeanAbsoluteDeviation", np.abs(inner - inner.mean()).mean()),
    ]


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(v if isinstance(v, str) else repr(float(v)) if isinstance(v, float) else str(v)
                             for v in r) + "\n")
    print("wrote", os.path.relpath(path), len(rows), "rows")


def main():
    # 1. tiny volume: every voxel of every band
    tiny = synthetic((5, 4, 3))
    bands = swt_bands(tiny)
    assert sorted(bands) == sorted(BAND_ORDER)
    rows = []
    for b in BAND_ORDER:
        for k in range(tiny.shape[2]):
            for j in range(tiny.shape[1]):
                for i in range(tiny.shape[0]):
                    rows.append((b, i, j, k, float(bands[b][i, j, k])))
    write(os.path.join(HERE, "wavelet_tiny.csv"), ["band", "i", "j", "k", "value"], rows)

    # 1b. a single slice (6x5x1): the z axis of length 1 is padded to 2 and transformed periodically
    flat = synthetic((6, 5, 1))
    bands = swt_bands(flat)
    rows = [(b, i, j, 0, float(bands[b][i, j, 0])) for b in BAND_ORDER for j in range(5) for i in range(6)]
    write(os.path.join(HERE, "wavelet_slice.csv"), ["band", "i", "j", "k", "value"], rows)

    # 1c. force2D (force2Ddimension 0): x and y only, the 5x4x3 volume; four sub-bands
    bands = swt_bands(tiny, axes=(0, 1))
    assert sorted(bands) == ["HH", "HL", "LH", "LL"]
    rows = [(b, i, j, k, float(bands[b][i, j, k])) for b in ["LH", "HL", "HH", "LL"]
            for k in range(3) for j in range(4) for i in range(5)]
    write(os.path.join(HERE, "wavelet_tiny2d.csv"), ["band", "i", "j", "k", "value"], rows)

    # 2. masks at the border of a 9x8x7 volume (wrap-around padding and periodic extension matter there)
    vol = synthetic((9, 8, 7))
    bands = swt_bands(vol)
    masks = {
        "corner_low": (slice(0, 3), slice(0, 2), slice(0, 2)),     # touches x=0, y=0, z=0
        "corner_high": (slice(6, 9), slice(5, 8), slice(4, 7)),    # touches the last voxel of every axis
        "slab_x": (slice(0, 9), slice(3, 5), slice(2, 5)),         # spans the whole x axis
        "interior": (slice(3, 6), slice(3, 5), slice(2, 5)),
        "single": (slice(8, 9), slice(0, 1), slice(6, 7)),         # one voxel in a corner
    }
    rows = []
    for name, sl in masks.items():
        for b in BAND_ORDER:
            x = bands[b][sl].ravel()
            rows.append((name, b, x.size, float(x.sum()), float((x ** 2).sum()), float(x.min()), float(x.max())))
    write(os.path.join(HERE, "wavelet_border.csv"), ["mask", "band", "n", "sum", "sum2", "min", "max"], rows)

    # 3. brain1, the whole image (PyRadiomics without resampling filters the whole image), label 1
    d = os.path.join(SHARED, "radiomics", "pyradiomics")
    if not os.path.exists(os.path.join(d, "brain1_image.nii.gz")):
        print("brain1 not found under", d, "- wavelet_brain1.csv not written", file=sys.stderr)
        return
    import nibabel as nib
    img = np.asarray(nib.load(os.path.join(d, "brain1_image.nii.gz")).dataobj).astype(np.float64)
    lab = np.asarray(nib.load(os.path.join(d, "brain1_label.nii.gz")).dataobj)
    bands = swt_bands(img)
    rows = []
    for b in BAND_ORDER:
        for feat, v in firstorder(bands[b][lab == 1]):
            rows.append(("wavelet-%s_firstorder_%s" % (b, feat), float(v)))
    write(os.path.join(HERE, "wavelet_brain1.csv"), ["feature", "value"], rows)


if __name__ == "__main__":
    main()
