"""Summary values of the specified preprocessing on shared BraTS cases, for checking a re-implementation
(the C++ core) without copying patient data into the repository.

  /usr/bin/python3 -m training.preprocess_reference > reference/preprocess_expected.json
"""
import json, os
import numpy as np
from .paths import BRATS_DATA as DATA
from .preprocess import load_case, brain_mask, prepare_case, MODALITIES


def main():
    """Print the summary values as JSON."""
    out = {"data": "../shared/data/brats2018 (relative to the project root)",
           "tensor": "network input [1,4,80,96,80] laid out [N,C,k,j,i]", "cases": {}}
    for cid in ("Brats18_2013_3_1", "Brats18_TCIA10_637_1"):
        vols, seg, _ = load_case(os.path.join(DATA, cid), cid)
        m = brain_mask(vols)
        idx = np.nonzero(m)
        x, start, _ = prepare_case(vols)
        xd = x.astype(np.float64)
        probes = [(0, 40, 48, 40), (1, 30, 50, 41), (2, 45, 20, 60), (3, 10, 70, 33), (3, 79, 95, 79)]
        out["cases"][cid] = {
            "mask_voxels": int(m.sum()),
            "bbox_lo_ijk": [int(a.min()) for a in idx], "bbox_hi_ijk_exclusive": [int(a.max()) + 1 for a in idx],
            "window_start_ijk": [int(s) for s in start],
            "zscore": {mod: {"mean": float(vols[c][m].astype(np.float64).mean()), "std": float(vols[c][m].astype(np.float64).std())}
                       for c, mod in enumerate(MODALITIES)},
            "input_channel_sum": [float(xd[0, c].sum()) for c in range(4)],
            "input_channel_sumsq": [float((xd[0, c] ** 2).sum()) for c in range(4)],
            "input_probes_c_k_j_i": [{"index": list(p), "value": float(x[0][p])} for p in probes],
        }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
