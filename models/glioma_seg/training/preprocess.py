"""Gliolens glioma_seg preprocessing: the exact, reproducible specification.

The C++ core must reproduce `prepare_case` bit-for-bit up to float32 rounding. Steps
(all arrays indexed (i, j, k) = NIfTI voxel order as stored, i fastest on disk):

1. Read T1, T1c, T2, FLAIR as float32 (voxel value * scl_slope + scl_inter when the slope is set).
   The four volumes must share one grid (BraTS: 240x240x155, 1 mm, co-registered).
2. Brain mask M = (T1 != 0) | (T1c != 0) | (T2 != 0) | (FLAIR != 0).
3. Per modality m: mu = mean(m[M]), sd = std(m[M]) (population, ddof = 0, computed in float64);
   z = (m - mu) / sd inside M, 0 outside M.
4. Bounding box of M: lo[a] = min index, hi[a] = max index + 1 on each axis a.
   Centre c[a] = (lo[a] + hi[a]) // 2 (floor). Window of W1 = (160, 192, 160) voxels (i, j, k) at 1 mm,
   starting at s[a] = c[a] - W1[a] // 2. Voxels of the window outside the volume are 0.
5. Downsample the window to 2 mm by the mean of each 2x2x2 block (window voxel 2u..2u+1 per axis),
   giving W2 = (80, 96, 80) in (i, j, k).
6. Network input tensor: float32 [1, 4, 80, 96, 80] laid out as [N, C, k, j, i] (i.e. the numpy
   array (C, i, j, k) transposed to (C, k, j, i)), so that the flat buffer of each channel has i fastest,
   exactly like a NIfTI voxel buffer. Channel order: T1, T1c, T2, FLAIR.

Postprocessing (`probs_to_labels`):
7. Output [1, 3, 80, 96, 80] logits for WT, TC, ET; p = sigmoid(logit).
8. Upsample p by 2 with trilinear interpolation, half-pixel centres (PyTorch align_corners=False,
   edge-clamped), giving the 1 mm window; voxels of the full volume outside the window get p = 0.
9. WT = p_WT > 0.5, TC = p_TC > 0.5, ET = p_ET > 0.5; label map: 0; 2 where WT; 1 where TC; 4 where ET
   (written in that order, later overwrites earlier). Regions scored: WT = {1,2,4}, TC = {1,4}, ET = {4}.
"""
import numpy as np

MODALITIES = ("t1", "t1ce", "t2", "flair")
W1 = (160, 192, 160)
W2 = (80, 96, 80)


def load_case(case_dir, case_id):
    import nibabel as nib
    vols = []
    for m in MODALITIES:
        img = nib.load(f"{case_dir}/{case_id}_{m}.nii.gz")
        vols.append(np.asarray(img.get_fdata(dtype=np.float32), dtype=np.float32))
    seg = None
    try:
        seg = np.asarray(nib.load(f"{case_dir}/{case_id}_seg.nii.gz").dataobj).astype(np.uint8)
    except FileNotFoundError:
        pass
    return np.stack(vols), seg, img.affine


def brain_mask(vols):
    return np.any(vols != 0, axis=0)


def zscore(vols, mask):
    out = np.zeros_like(vols, dtype=np.float32)
    for c in range(vols.shape[0]):
        v = vols[c][mask].astype(np.float64)
        mu, sd = v.mean(), v.std()
        out[c][mask] = ((vols[c][mask] - mu) / sd).astype(np.float32)
    return out


def window_start(mask):
    idx = np.nonzero(mask)
    lo = np.array([int(a.min()) for a in idx])
    hi = np.array([int(a.max()) + 1 for a in idx])
    c = (lo + hi) // 2
    return c - np.array(W1) // 2


def extract_window(vol, start, size):
    """vol (..., I, J, K) -> (..., *size), zeros outside the volume."""
    out = np.zeros(vol.shape[:-3] + tuple(size), dtype=vol.dtype)
    src, dst = [], []
    for a in range(3):
        n = vol.shape[-3 + a]
        s0 = max(start[a], 0)
        s1 = min(start[a] + size[a], n)
        src.append(slice(s0, s1))
        dst.append(slice(s0 - start[a], s1 - start[a]))
    out[(Ellipsis, *dst)] = vol[(Ellipsis, *src)]
    return out


def box_to_multiple(first, end, shape, multiple=8):
    """The core's refine_box rule for a box [first, end) per axis: clipped to the volume `shape` (never empty), then
    each axis grown to a multiple of `multiple`, floor(extra / 2) voxels before. Returns (first voxel, size)."""
    first = np.maximum(first, 0)
    end = np.maximum(np.minimum(end, np.array(shape)), first + 1)
    size = end - first
    extra = (-size) % multiple
    return first - extra // 2, size + extra


def block_mean2(x):
    """(..., 2I, 2J, 2K) -> (..., I, J, K) mean of 2x2x2 blocks."""
    s = x.shape
    x = x.reshape(s[:-3] + (s[-3] // 2, 2, s[-2] // 2, 2, s[-1] // 2, 2))
    return x.mean(axis=(-5, -3, -1))


def prepare_case(vols):
    """vols float32 (4, I, J, K) -> (input tensor float32 (1,4,80,96,80) [N,C,k,j,i], start, mask)."""
    mask = brain_mask(vols)
    z = zscore(vols, mask)
    start = window_start(mask)
    win = extract_window(z, start, W1)
    x = block_mean2(win).astype(np.float32)          # (4, 80, 96, 80) in (C, i, j, k)
    x = np.ascontiguousarray(x.transpose(0, 3, 2, 1))  # (C, k, j, i)
    return x[None], start, mask


def seg_to_regions(seg):
    """uint8 labels -> (3, ...) float32 WT, TC, ET."""
    return np.stack([(seg == 1) | (seg == 2) | (seg == 4), (seg == 1) | (seg == 4), seg == 4]).astype(np.float32)


def probs_to_labels(p2, start, full_shape, thr=0.5):
    """p2: probabilities (3, k, j, i) at 2 mm (network layout without N) -> uint8 label map (I, J, K)."""
    import torch
    import torch.nn.functional as F
    t = torch.from_numpy(np.ascontiguousarray(p2))[None].float()
    up = F.interpolate(t, scale_factor=2, mode="trilinear", align_corners=False)[0].numpy()
    up = up.transpose(0, 3, 2, 1)  # (3, i, j, k) 1 mm window
    full = np.zeros((3,) + tuple(full_shape), dtype=np.float32)
    src, dst = [], []
    for a in range(3):
        n = full_shape[a]
        s0 = max(start[a], 0)
        s1 = min(start[a] + W1[a], n)
        dst.append(slice(s0, s1))
        src.append(slice(s0 - start[a], s1 - start[a]))
    full[(slice(None), *dst)] = up[(slice(None), *src)]
    return nested_labels(full, (thr, thr, thr))


def nested_labels(p, thresholds=(0.5, 0.5, 0.5)):
    """(3, ...) probabilities (WT, TC, ET) -> uint8 BraTS labels: 2 where p_WT > t_WT, then 1 where p_TC > t_TC, then 4
    where p_ET > t_ET (later overwrites earlier; the manifest's `thresholds`)."""
    lab = np.zeros(p.shape[1:], dtype=np.uint8)
    for channel, label in enumerate((2, 1, 4)):
        lab[p[channel] > thresholds[channel]] = label
    return lab
