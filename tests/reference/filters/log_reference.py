#!/usr/bin/env python3
"""Independent references for the LoG image type.

PyRadiomics mode: PyRadiomics' getLoGImage runs SimpleITK's LaplacianRecursiveGaussianImageFilter with
NormalizeAcrossScale on the image it is given (the whole image, or the cropped resampled image). SimpleITK cannot
be installed here, but ITK can (Debian: libinsighttoolkit5-dev, ITK 5.2): log_itk.cpp runs that ITK filter, and
this script builds it with g++ and runs it.

IBSI mode: the sampled-kernel LoG (sum over axes of sigma^2 * the second-derivative kernel along the axis times the
Gaussian along the others, edge values extended, radius ceil(4 sigma / spacing)), computed with
scipy.ndimage.correlate1d; beside it, scipy's own Gaussian-derivative kernels (gaussian_filter, order 2, same
radius and boundary), which differ from ours only in the kernel normalisation.

Writes, next to this file:
  log_itk_tiny.csv        every voxel of ITK's LoG of a 7x6x5 synthetic volume, spacing (1, 0.8, 1.5) mm
  log_sampled_tiny.csv    every voxel of the sampled-kernel LoG (ours, and scipy's plain kernels) of the same volume
  log_itk_brain1.csv      PyRadiomics first-order features of ITK's LoG of brain1 within label 1

Run: /usr/bin/python3 tests/reference/filters/log_reference.py
     (Debian: libinsighttoolkit5-dev g++ python3-scipy python3-nibabel)
"""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))
sys.path.insert(0, HERE)
from wavelet_reference import firstorder, synthetic, write  # noqa: E402

TMP = tempfile.mkdtemp(prefix="gliolens-log-")
ITK_LIBS = ["libITKSmoothing-5.2.so.1", "libITKCommon-5.2.so.1", "libitksys-5.2.so.1", "libitkvnl-5.2.so.1",
            "libitkvnl_algo-5.2.so.1"]


def build_itk():
    exe = os.path.join(TMP, "log_itk")
    cmd = ["g++", "-O1", "-std=c++17", "-I/usr/include/ITK-5.2", os.path.join(HERE, "log_itk.cpp"), "-o", exe]
    cmd += [os.path.join("/usr/lib", l) for l in ITK_LIBS] + ["-lpthread"]
    subprocess.run(cmd, check=True)
    return exe


def itk_log(exe, vol, spacing, sigma):
    """ITK's LaplacianRecursiveGaussianImageFilter (NormalizeAcrossScale) of vol [x, y, z], float32 in and out."""
    src, dst = os.path.join(TMP, "in.raw"), os.path.join(TMP, "out.raw")
    np.asarray(vol, dtype=np.float32).ravel(order="F").tofile(src)  # x fastest
    args = [exe, src, dst] + [str(n) for n in vol.shape] + [repr(float(s)) for s in spacing] + [repr(float(sigma))]
    subprocess.run(args, check=True)
    return np.fromfile(dst, dtype=np.float32).reshape(vol.shape, order="F").astype(np.float64)


def sampled_kernels(sigma, h):
    """Our IBSI-mode kernels along one axis: the Gaussian (sum 1) and its second derivative made zero-sum with
    second moment 2 (exact on constants and on x^2), sampled at n*h, n = -r..r, r = max(1, ceil(4 sigma / h))."""
    r = max(1, math.ceil(4.0 * sigma / h))
    x = np.arange(-r, r + 1) * h
    e = np.exp(-x * x / (2 * sigma * sigma))
    g = e / e.sum()
    g2 = e * (x * x / sigma ** 4 - 1.0 / sigma ** 2)
    g2 = g2 - g2.mean()
    g2 = g2 * (2.0 / (g2 * x * x).sum())
    return g, g2


def sampled_log(vol, spacing, sigma):
    out = np.zeros(vol.shape)
    ks = [sampled_kernels(sigma, h) for h in spacing]
    for d2 in range(3):
        t = vol.astype(np.float64)
        for d in range(3):
            # symmetric kernels: correlation = convolution; 'nearest' extends the edge values
            t = ndimage.correlate1d(t, ks[d][1] if d == d2 else ks[d][0], axis=d, mode="nearest")
        out += t
    return sigma * sigma * out


def scipy_plain_log(vol, spacing, sigma):
    """scipy's Gaussian-derivative filters (unnormalised sampled derivative), same radius and boundary."""
    out = np.zeros(vol.shape)
    sv = [sigma / h for h in spacing]
    radius = [max(1, math.ceil(4.0 * sigma / h)) for h in spacing]
    for d2 in range(3):
        order = [2 if d == d2 else 0 for d in range(3)]
        out += ndimage.gaussian_filter(vol.astype(np.float64), sv, order=order, mode="nearest", radius=radius) \
            / spacing[d2] ** 2
    return sigma * sigma * out


def sigma_name(s):
    return str(float(s)).replace(".", "-")


def main():
    exe = build_itk()
    spacing = (1.0, 0.8, 1.5)
    tiny = synthetic((7, 6, 5))
    rows, rows_s = [], []
    for sigma in (0.5, 1.0, 2.5):
        v = itk_log(exe, tiny, spacing, sigma)
        s = sampled_log(tiny, spacing, sigma)
        p = scipy_plain_log(tiny, spacing, sigma)
        for k in range(tiny.shape[2]):
            for j in range(tiny.shape[1]):
                for i in range(tiny.shape[0]):
                    rows.append((repr(sigma), i, j, k, float(v[i, j, k])))
                    rows_s.append((repr(sigma), i, j, k, float(s[i, j, k]), float(p[i, j, k])))
        print("sigma %g: max |ITK - sampled| %.4g, max |sampled - scipy plain| %.4g (max |value| %.4g)"
              % (sigma, np.abs(v - s).max(), np.abs(s - p).max(), np.abs(s).max()))
    write(os.path.join(HERE, "log_itk_tiny.csv"), ["sigma", "i", "j", "k", "value"], rows)
    write(os.path.join(HERE, "log_sampled_tiny.csv"), ["sigma", "i", "j", "k", "value", "scipy_plain"], rows_s)

    d = os.path.join(SHARED, "radiomics", "pyradiomics")
    if not os.path.exists(os.path.join(d, "brain1_image.nii.gz")):
        print("brain1 not found under", d, "- log_itk_brain1.csv not written", file=sys.stderr)
        return
    import nibabel as nib
    im = nib.load(os.path.join(d, "brain1_image.nii.gz"))
    img = np.asarray(im.dataobj).astype(np.float64)
    lab = np.asarray(nib.load(os.path.join(d, "brain1_label.nii.gz")).dataobj) == 1
    sp = [float(z) for z in im.header.get_zooms()[:3]]
    rows = []
    for sigma in (0.5, 1.0, 3.0, 5.0):
        v = itk_log(exe, img, sp, sigma)
        for feat, val in firstorder(v[lab]):
            rows.append(("log-sigma-%s-mm-3D_firstorder_%s" % (sigma_name(sigma), feat), float(val)))
        s = sampled_log(img, sp, sigma)
        fi, fs = dict(firstorder(v[lab])), dict(firstorder(s[lab]))
        print("brain1 sigma %g: recursive (ITK) vs sampled kernel within the ROI: max voxel |diff| %.4g "
              "(ROI RMS %.4g); Mean %.6g vs %.6g; Variance %.6g vs %.6g"
              % (sigma, np.abs(v - s)[lab].max(), fi["RootMeanSquared"], fi["Mean"], fs["Mean"], fi["Variance"],
                 fs["Variance"]))
    write(os.path.join(HERE, "log_itk_brain1.csv"), ["feature", "value"], rows)


if __name__ == "__main__":
    main()
