"""The reference implementation of what the core does before and after the FLAIR network
(core/segmentation/flair_model.cpp must give the same numbers): a 2-D network run on every axial slice.

Before: the volume's voxel axes are permuted and flipped into LPS (exact), so k runs along the slices' normal
(inferior to superior) for an axial acquisition; intensities are divided by the 99th percentile (numpy's default
definition) of the volume's non-zero voxels; each slice is sampled bilinearly (zero outside the image) onto a grid
of SPACING_MM pixels centred on the bounding box of the volume's non-zero voxels: as large as that box, each side
rounded up to a multiple of MULTIPLE, and at most WINDOW x WINDOW (a skull-stripped brain needs about half the
pixels of a head: the network is fully convolutional, and what it would see beyond the box is zero).
After: the network's sigmoid probabilities are sampled bilinearly (edges clamped, zero outside the window) at each
voxel of the slice, and thresholded."""
import nibabel as nib
import numpy as np

WINDOW = 128
MULTIPLE = 16
SPACING_MM = 2.0
ORIENTATION = ("L", "P", "S")
SCALE_QUANTILE = 0.99


def load_lps(path):
    """The volume as float32 in LPS voxel order, with its voxel sizes (i, j, k) in mm after the reorientation."""
    img = nib.load(path)
    ornt = nib.orientations.ornt_transform(nib.orientations.io_orientation(img.affine),
                                           nib.orientations.axcodes2ornt(ORIENTATION))
    data = nib.orientations.apply_orientation(np.asarray(img.dataobj, dtype=np.float32), ornt)
    zooms = np.asarray(img.header.get_zooms()[:3], dtype=np.float64)
    spacing = np.empty(3)
    for source_axis, (target_axis, _) in enumerate(ornt):
        spacing[int(target_axis)] = zooms[source_axis]
    return np.ascontiguousarray(data), spacing


def intensity_scale(volume):
    nonzero = volume[volume != 0]
    if nonzero.size == 0:
        raise ValueError("the volume is empty (no non-zero voxel)")
    scale = float(np.quantile(nonzero.astype(np.float64), SCALE_QUANTILE))
    if not scale > 0:
        raise ValueError("the 99th percentile of the non-zero voxels is not positive")
    return scale


def window_centre(volume):
    """The centre (i, j) of the non-zero voxels' bounding box, in voxel units."""
    nz = np.nonzero(volume)
    return np.array([(nz[0].min() + nz[0].max()) / 2.0, (nz[1].min() + nz[1].max()) / 2.0])


def window_size(volume, spacing):
    """The window's sides (i, j) in pixels: the non-zero voxels' bounding box at SPACING_MM, rounded up to a
    multiple of MULTIPLE, at most WINDOW."""
    nz = np.nonzero(volume)
    size = []
    for axis in (0, 1):
        extent = (nz[axis].max() - nz[axis].min() + 1) * spacing[axis] / SPACING_MM
        size.append(int(min(WINDOW, MULTIPLE * np.ceil(extent / MULTIPLE))))
    return size


def window_positions(centre, spacing, window=WINDOW, spacing_mm=SPACING_MM):
    """The source voxel coordinate (along one axis) of each window pixel's centre."""
    offsets = (np.arange(window, dtype=np.float64) - (window - 1) / 2.0) * spacing_mm / spacing
    return centre + offsets


def _taps_zero_outside(positions, n):
    """Linear interpolation taps along one axis; a neighbour outside [0, n) weighs nothing."""
    lo = np.floor(positions).astype(np.int64)
    w = positions - lo
    hi = lo + 1
    w_lo = np.where((lo >= 0) & (lo < n), 1 - w, 0.0)
    w_hi = np.where((hi >= 0) & (hi < n), w, 0.0)
    return np.clip(lo, 0, n - 1), np.clip(hi, 0, n - 1), w_lo, w_hi


def sample_slices(volume, centre, spacing, window):
    """Every axial slice of `volume` [i, j, k] on the network window (i, j pixels): [k, window j, window i] float32."""
    ni, nj, _ = volume.shape
    li, hi_i, wli, whi = _taps_zero_outside(window_positions(centre[0], spacing[0], window[0]), ni)
    lj, hi_j, wlj, whj = _taps_zero_outside(window_positions(centre[1], spacing[1], window[1]), nj)
    v = volume.astype(np.float64)
    # along i, then along j: [i_out, j, k] -> [i_out, j_out, k]
    along_i = v[li] * wli[:, None, None] + v[hi_i] * whi[:, None, None]
    both = along_i[:, lj] * wlj[None, :, None] + along_i[:, hi_j] * whj[None, :, None]
    return np.ascontiguousarray(both.transpose(2, 1, 0)).astype(np.float32)


def network_input(volume, spacing):
    """(the network input [k, 1, window j, window i], the window centre, the window (i, j)) of a FLAIR volume in LPS
    order."""
    centre = window_centre(volume)
    window = window_size(volume, spacing)
    scaled = volume / np.float32(intensity_scale(volume))
    return sample_slices(scaled, centre, spacing, window)[:, None], centre, window


def _taps_clamped(positions, n):
    p = np.clip(positions, 0, n - 1)
    lo = np.minimum(np.floor(p).astype(np.int64), n - 1)
    hi = np.minimum(lo + 1, n - 1)
    return lo, hi, p - lo


def probabilities_on_volume(prob, shape, centre, spacing):
    """Window probabilities [k, window j, window i] -> [i, j, k] on the volume's grid (zero outside the window)."""
    ni, nj, nk = shape
    wj, wi = prob.shape[1:]
    u = (np.arange(ni) - centre[0]) * spacing[0] / SPACING_MM + (wi - 1) / 2.0
    v = (np.arange(nj) - centre[1]) * spacing[1] / SPACING_MM + (wj - 1) / 2.0
    inside_u = (u >= -0.5) & (u <= wi - 0.5)
    inside_v = (v >= -0.5) & (v <= wj - 0.5)
    lu, hu, wu = _taps_clamped(u, wi)
    lv, hv, wv = _taps_clamped(v, wj)
    p = prob.astype(np.float64).transpose(2, 1, 0)  # [i_win, j_win, k]
    along_u = p[lu] * (1 - wu)[:, None, None] + p[hu] * wu[:, None, None]
    both = along_u[:, lv] * (1 - wv)[None, :, None] + along_u[:, hv] * wv[None, :, None]
    both *= (inside_u[:, None] & inside_v[None, :])[:, :, None]
    return both.astype(np.float32)
