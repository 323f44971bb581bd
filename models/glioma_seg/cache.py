"""Preprocess the BraTS cases once into a cache OUTSIDE the repository (default /tmp/gseg_cache)."""
import argparse, glob, os, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from preprocess import load_case, prepare_case, seg_to_regions, extract_window, block_mean2, W1

ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../../shared/data/brats2018"))
ap.add_argument("--cache", default="/tmp/gseg_cache")
a = ap.parse_args()
os.makedirs(a.cache, exist_ok=True)
for d in sorted(glob.glob(os.path.join(a.data, "*"))):
    cid = os.path.basename(d)
    out = os.path.join(a.cache, cid + ".npz")
    if os.path.exists(out):
        continue
    t = time.time()
    vols, seg, aff = load_case(d, cid)
    x, start, mask = prepare_case(vols)
    reg = seg_to_regions(seg)                                   # (3, I, J, K)
    y = block_mean2(extract_window(reg, start, W1)).transpose(0, 3, 2, 1)  # soft 2 mm targets (3,k,j,i)
    np.savez(out, x=x[0], y=np.ascontiguousarray(y, dtype=np.float32), start=start, shape=np.array(seg.shape))
    print(cid, x.shape, start, [int((seg == l).sum()) for l in (1, 2, 4)], f"{time.time()-t:.1f}s", flush=True)
