"""Preprocesses every case once (preprocess.network_input) into CACHE/<case>.npz: x [k, WINDOW, WINDOW] float16
(the network input), y [k, WINDOW, WINDOW] uint8 (the mask sampled the same way, x 255), nonzero slices only."""
import argparse, os
import numpy as np
from .cases import all_cases
from .preprocess import load_lps, network_input, sample_slices

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
        x, centre = network_input(volume, spacing)
        y = sample_slices((labels > 0).astype(np.float32), centre, spacing)
        keep = volume.reshape(-1, volume.shape[2]).any(axis=0)  # slices with some signal
        np.savez(out, x=x[keep, 0].astype(np.float16), y=np.round(y[keep] * 255).astype(np.uint8),
                 lesion=(y[keep] > 0.5).any(axis=(1, 2)), source=source)
        print(cid, source, int(keep.sum()), "slices", flush=True)


if __name__ == "__main__":
    main()
