"""Augmentation shared by the whole-brain (train.py) and refine (train_refine.py) stages. Every function takes the
caller's numpy Generator, so a run's random stream is its own."""
import numpy as np
import torch
import torch.nn.functional as F


def rot_matrix(rng, max_deg):
    """A random rotation, up to +-max_deg about each axis."""
    ang = np.deg2rad(rng.uniform(-max_deg, max_deg, 3))
    cx, cy, cz = np.cos(ang); sx, sy, sz = np.sin(ang)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rx @ ry @ rz


def resample_sample(x, y, centre, size, A):
    """x (C,D0,H0,W0) and y (R,D0,H0,W0) sampled (trilinear, zeros outside) on a grid of `size` voxels centred at
    `centre` (voxel coordinates, d h w) and transformed by the 3x3 matrix A."""
    dims = np.array(x.shape[1:], dtype=np.float64)
    o = [np.arange(n) - (n - 1) / 2 for n in size]
    g = np.stack(np.meshgrid(*o, indexing="ij"), -1)  # (D,H,W,3) offsets in (d,h,w)
    p = g @ A.T + centre                               # voxel coords in (d,h,w)
    nrm = (2 * p + 1) / dims - 1                       # align_corners=False normalisation
    grid = torch.from_numpy(nrm[..., ::-1].copy()).float()[None]  # (x,y,z) = (w,h,d)
    xs = F.grid_sample(x[None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)[0]
    ys = F.grid_sample(y[None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)[0]
    return xs, ys


def random_flips(rng, xs, ys):
    for ax in (1, 2, 3):
        if rng.random() < 0.5:
            xs = xs.flip(ax); ys = ys.flip(ax)
    return xs, ys


def heavy_intensity(rng, xs, brain):
    """Per channel, inside the brain: gamma (on the channel's range), contrast about the mean, scale and shift,
    Gaussian noise; then, for the whole sample, a low-resolution copy (scanners with thicker slices or other
    sites' contrast are what the held-out cases differ by)."""
    out = xs.clone()
    for c in range(xs.shape[0]):
        v = out[c][brain]
        if v.numel() < 2:
            continue
        if rng.random() < 0.3:
            lo, hi = float(v.min()), float(v.max())
            if hi > lo:
                g = rng.uniform(0.7, 1.0) if rng.random() < 0.5 else rng.uniform(1.0, 1.5)
                v = ((v - lo) / (hi - lo)).clamp(0, 1) ** g * (hi - lo) + lo
        if rng.random() < 0.3:
            m = float(v.mean())
            v = (v - m) * rng.uniform(0.75, 1.25) + m
        v = v * rng.uniform(0.8, 1.2) + rng.uniform(-0.2, 0.2)
        if rng.random() < 0.15:
            v = v + torch.randn_like(v) * rng.uniform(0.0, 0.1)
        out[c][brain] = v
    if rng.random() < 0.15:
        size = out.shape[1:]
        f = rng.uniform(1.0, 2.0)
        low = F.interpolate(out[None], size=[max(4, int(round(n / f))) for n in size], mode="nearest")
        out = F.interpolate(low, size=size, mode="trilinear", align_corners=False)[0]
    return out
