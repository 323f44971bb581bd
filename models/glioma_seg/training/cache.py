"""Preprocess the BraTS cases once into a cache OUTSIDE the repository.

  /usr/bin/python3 -m training.cache            # whole-brain stage: the 2 mm network input and soft targets
  /usr/bin/python3 -m training.cache --refine   # refine stage: z-scored 1 mm volumes cut to the brain, region masks
"""
import argparse, glob, os, time
import numpy as np
from .paths import BRATS_DATA
from .preprocess import load_case, prepare_case, seg_to_regions, extract_window, block_mean2, brain_mask, zscore, W1


def main():
    """Fill the cache: each case once (a filled cache costs nothing, a partial one is completed)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=BRATS_DATA)
    ap.add_argument("--refine", action="store_true", help="the refine stage's 1 mm cache (default folder /tmp/gseg_cache1mm)")
    ap.add_argument("--cache", default="")
    a = ap.parse_args()
    cache = a.cache or ("/tmp/gseg_cache1mm" if a.refine else "/tmp/gseg_cache")
    os.makedirs(cache, exist_ok=True)
    for d in sorted(glob.glob(os.path.join(a.data, "*"))):
        cid = os.path.basename(d)
        out = os.path.join(cache, cid + ".npz")
        if os.path.exists(out):
            continue
        t = time.time()
        vols, seg, aff = load_case(d, cid)
        reg = seg_to_regions(seg)                                   # (3, I, J, K)
        if a.refine:
            mask = brain_mask(vols)
            box = tuple(slice(int(v.min()), int(v.max()) + 1) for v in np.nonzero(mask))
            x = np.ascontiguousarray(zscore(vols, mask)[(slice(None), *box)].transpose(0, 3, 2, 1))    # (4,k,j,i) 1 mm
            y = np.ascontiguousarray(reg[(slice(None), *box)].transpose(0, 3, 2, 1).astype(np.uint8))  # (3,k,j,i) 1 mm
            np.savez(out, x=x, y=y, lo=np.array([s.start for s in box]))
        else:
            x, start, mask = prepare_case(vols)
            y = block_mean2(extract_window(reg, start, W1)).transpose(0, 3, 2, 1)  # soft 2 mm targets (3,k,j,i)
            np.savez(out, x=x[0], y=np.ascontiguousarray(y, dtype=np.float32), start=start, shape=np.array(seg.shape))
        print(cid, x.shape, [int((seg == l).sum()) for l in (1, 2, 4)], f"{time.time()-t:.1f}s", flush=True)


if __name__ == "__main__":
    main()
