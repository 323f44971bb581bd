"""What the 2 mm grid alone costs: Dice of a perfect network, i.e. the expert regions' own 2 mm soft target
(2x2x2 block mean, as in training) passed through the app's upsampling and thresholds back to 1 mm.

  /usr/bin/python3 -m experiments.resolution_ceiling [--data DIR]
"""
import argparse, os
import numpy as np
from training.evaluate import REGIONS, score
from training.paths import BRATS_DATA
from training.preprocess import W1, block_mean2, brain_mask, extract_window, load_case, probs_to_labels, seg_to_regions, window_start


def main():
    """Print the perfect 2 mm network's Dice per case and the mean."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=BRATS_DATA)
    a = ap.parse_args()
    dice = {}
    for cid in sorted(c for c in os.listdir(a.data) if c.startswith("Brats18")):
        vols, seg, _ = load_case(os.path.join(a.data, cid), cid)
        start = window_start(brain_mask(vols))
        target = block_mean2(extract_window(seg_to_regions(seg), start, W1))  # (3, i, j, k) at 2 mm
        lab = probs_to_labels(np.ascontiguousarray(target.transpose(0, 3, 2, 1)), start, seg.shape)
        dice[cid] = {r: round(v["dice"], 4) for r, v in score(lab, seg, with_hd95=False).items()}
        print(cid, dice[cid], flush=True)
    print("mean", {r: round(float(np.mean([d[r] for d in dice.values()])), 4) for r in REGIONS})


if __name__ == "__main__":
    main()
