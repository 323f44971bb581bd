"""Out-of-fold scores: each case segmented by the network of the fold that held it out, through the reference
pre- and post-processing (preprocess.py, what the core does), scored on the case's own grid: Dice and volumes of the
FLAIR abnormality per patient. Also the nested choice of the small-component clean-up (postprocess.min_component_mm3):
for each fold, the value that gives the best mean Dice over the OTHER folds' cases, applied to this fold's cases.
Usage: python3 -m training.evaluate --cv /tmp/flair_seg/cv --out /tmp/flair_seg/oof.json

A cross-validation that outlasts a session (the machine's /tmp does not survive it) goes fold by fold: --folds 0,2
scores only those folds' patients, and --merge adds the rows of an earlier output (validation/*.json is committed for
that); the nested choice of the clean-up needs all five folds: until then the summary takes --partial_min_component_mm3 and
the output lists the folds scored."""
import argparse, json, os
import numpy as np
import scipy.ndimage as ndi
import torch
from .cases import all_cases, fold_of, FOLDS
from .model import UNet2D
from .preprocess import load_lps, network_input, probabilities_on_volume

MIN_COMPONENT_CHOICES_MM3 = [0, 100, 500, 1000, 2000, 5000, 10000, 20000]


def segment(model, volume, spacing, threshold=0.5, batch=32, flips=False):
    x, centre, _ = network_input(volume, spacing)
    kept = np.flatnonzero(volume.reshape(-1, volume.shape[2]).any(axis=0))
    prob = np.zeros((volume.shape[2],) + x.shape[2:], np.float32)
    with torch.no_grad():
        for s in range(0, len(kept), batch):
            k = kept[s:s + batch]
            slices = torch.from_numpy(x[k])
            p = torch.sigmoid(model(slices))
            if flips:  # test-time augmentation: the mean with the slices mirrored left-right (the window's last axis)
                p = 0.5 * (p + torch.sigmoid(model(slices.flip(-1))).flip(-1))
            prob[k] = p.numpy()[:, 0]
    return probabilities_on_volume(prob, volume.shape, centre, spacing) > threshold


def clean(mask, spacing, min_mm3):
    """Components (26-connected) under min_mm3 cleared, the largest kept."""
    if min_mm3 <= 0 or not mask.any():
        return mask
    labels, n = ndi.label(mask, structure=np.ones((3, 3, 3)))
    sizes = np.bincount(labels.ravel())[1:] * float(np.prod(spacing))
    keep = (sizes >= min_mm3) | (np.arange(n) == np.argmax(sizes))
    return keep[labels - 1] & mask


def dice(a, b):
    s = a.sum() + b.sum()
    return 1.0 if s == 0 else 2.0 * float((a & b).sum()) / float(s)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cv", required=True, help="folder with fold0..fold4/ckpt.pt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--base", type=int, default=12)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--flips", action="store_true", help="test-time augmentation: average with the mirrored slices")
    ap.add_argument("--folds", default=",".join(map(str, range(FOLDS))), help="the folds whose patients are scored")
    ap.add_argument("--merge", nargs="*", default=[], help="earlier outputs whose rows (other folds) are kept")
    ap.add_argument("--partial_min_component_mm3", type=int, default=2000,
                    help="the clean-up while fewer than five folds are scored (1.1.0's choice on all patients)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    folds = fold_of()
    scored = {int(f) for f in a.folds.split(",")}
    models = {}
    rows = [r for path in a.merge for r in json.load(open(path))["cases"] if r["fold"] not in scored]
    for cid, flair, mask_path, source in all_cases():
        f = folds[cid]
        if f not in scored:
            continue
        if f not in models:
            m = UNet2D(a.base)
            m.load_state_dict(torch.load(os.path.join(a.cv, f"fold{f}", "ckpt.pt")))
            models[f] = m.eval()
        volume, spacing = load_lps(flair)
        truth = load_lps(mask_path)[0] > 0
        raw = segment(models[f], volume, spacing, flips=a.flips)
        voxel_ml = float(np.prod(spacing)) / 1000
        row = dict(case=cid, source=source, fold=f, truth_ml=float(truth.sum()) * voxel_ml,
                   dice={str(m): dice(clean(raw, spacing, m), truth) for m in MIN_COMPONENT_CHOICES_MM3},
                   predicted_ml={str(m): float(clean(raw, spacing, m).sum()) * voxel_ml for m in MIN_COMPONENT_CHOICES_MM3})
        rows.append(row)
        print(cid, source, f, {k: round(v, 3) for k, v in row["dice"].items()}, flush=True)
    rows.sort(key=lambda r: r["case"])
    scored_folds = sorted({r["fold"] for r in rows})
    if len(scored_folds) == FOLDS:  # the clean-up chosen for each fold on the other folds' patients
        chosen = {}
        for f in range(FOLDS):
            others = [r for r in rows if r["fold"] != f]
            chosen[f] = max(MIN_COMPONENT_CHOICES_MM3, key=lambda m: (np.mean([r["dice"][str(m)] for r in others]), -m))
    else:  # too few folds to choose out of fold: the given clean-up for all
        chosen = {f: a.partial_min_component_mm3 for f in scored_folds}
    for r in rows:
        r["nested_min_component_mm3"] = chosen[r["fold"]]
        r["nested_dice"] = r["dice"][str(chosen[r["fold"]])]
    summary = {}
    for source in ("lgg_flair", "brats2018", "all"):
        sel = [r for r in rows if source == "all" or r["source"] == source]
        d = np.array([r["nested_dice"] for r in sel])
        raw = np.array([r["dice"]["0"] for r in sel])
        summary[source] = dict(patients=len(sel), mean_dice=float(d.mean()), median_dice=float(np.median(d)),
                               min_dice=float(d.min()), mean_dice_without_postprocess=float(raw.mean()))
    whole = max(MIN_COMPONENT_CHOICES_MM3, key=lambda m: (np.mean([r["dice"][str(m)] for r in rows]), -m))
    out = dict(folds_scored=scored_folds, summary=summary, nested_choice_per_fold=chosen, choice_on_all_cases=whole, cases=rows)
    if len(scored_folds) < FOLDS:
        out["clean_up"] = f"fixed at {a.partial_min_component_mm3} mm^3: {FOLDS - len(scored_folds)} folds not scored yet"
    json.dump(out, open(a.out, "w"), indent=1)
    print(json.dumps(dict(folds_scored=scored_folds, summary=summary, nested=chosen, choice_on_all_cases=whole), indent=1))

if __name__ == "__main__":
    main()
