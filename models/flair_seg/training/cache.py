"""Preprocesses every case once into CACHE/<case>.npz: x [k, WINDOW, WINDOW] float16 (the network input on the
largest window, whatever the non-zero box: training cuts its own crops from it), y [k, WINDOW, WINDOW] uint8 (the
mask sampled the same way, x 255), slices with signal only."""
import argparse, os
import numpy as np
from .cases import all_cases
from .preprocess import WINDOW, intensity_scale, load_lps, sample_slices, window_centre

CACHE = "/tmp/flair_seg/cache"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cache", default=CACHE)
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    for cid, flair, mask, source in all_cases():
        out = os.path.join(a.cache, cid + ".npz")
        if os.path.exists(out):
            continue
        volume, spacing = load_lps(flair)
        labels, _ = load_lps(mask)
        centre = window_centre(volume)
        x = sample_slices(volume / np.float32(intensity_scale(volume)), centre, spacing, (WINDOW, WINDOW))[:, None]
        y = sample_slices((labels > 0).astype(np.float32), centre, spacing, (WINDOW, WINDOW))
        keep = volume.reshape(-1, volume.shape[2]).any(axis=0)  # slices with some signal
        np.savez(out, x=x[keep, 0].astype(np.float16), y=np.round(y[keep] * 255).astype(np.uint8),
                 lesion=(y[keep] > 0.5).any(axis=(1, 2)), source=source)
        print(cid, source, int(keep.sum()), "slices", flush=True)


if __name__ == "__main__":
    main()
