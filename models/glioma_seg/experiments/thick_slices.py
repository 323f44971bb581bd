"""How the shipped model does on thick slices: each held-out case as a scanner with T mm slices would give it, then
segmented by the real CLI (`gliolens segment`, which resamples to 1 mm and maps the labels back) and scored by
`gliolens dice` against the expert mask taken on the same slices.

  /usr/bin/python3 -m experiments.thick_slices [--mm 5] [--out /tmp/gliolens-thick] [--data DIR]

A thick slice is the mean of T consecutive 1 mm slices along k (partial volume, as an acquisition averages over its
slab), not a point sample; the expert mask is taken at each slab's centre slice. The affine keeps world positions:
slice k' lies at the centre of original slices T*k' .. T*k' + T - 1.
"""
import argparse, json, os
import numpy as np
import nibabel as nib

from training.paths import BRATS_DATA, MODEL_DIR
from training.score_cases import MODALITIES, cli


def thick(img, mm, is_mask):
    v = np.asarray(img.dataobj)
    n = v.shape[2] // mm
    if is_mask:
        out = v[:, :, mm // 2: n * mm: mm].astype(np.uint8)
    else:
        out = v[:, :, :n * mm].astype(np.float32).reshape(v.shape[0], v.shape[1], n, mm).mean(axis=3)
    affine = img.affine @ np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, mm, (mm - 1) / 2], [0, 0, 0, 1]])
    result = nib.Nifti1Image(out, affine)
    result.set_qform(affine, 1)
    result.set_sform(affine, 1)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mm", type=int, default=5)
    ap.add_argument("--out", default="/tmp/gliolens-thick")
    ap.add_argument("--data", default=BRATS_DATA)
    a = ap.parse_args()
    manifest = json.load(open(os.path.join(MODEL_DIR, "manifest.json")))
    os.makedirs(a.out, exist_ok=True)
    dice = {}
    for cid in manifest["training"]["held_out_cases"]:
        path = {m: os.path.join(a.out, f"{cid}_{a.mm}mm_{m}.nii.gz") for m in (*MODALITIES, "seg", "pred")}
        for m in (*MODALITIES, "seg"):
            nib.save(thick(nib.load(os.path.join(a.data, cid, f"{cid}_{m}.nii.gz")), a.mm, m == "seg"), path[m])
        cli("segment", *[x for m in MODALITIES for x in (f"--{m}", path[m])], "--out", path["pred"])
        scores = cli("dice", "--pred", path["pred"], "--truth", path["seg"])
        dice[cid] = {r["region"]: round(r["dice"], 4) for r in scores["regions"]}
        print(cid, dice[cid], flush=True)
    print("mean", {r: round(float(np.mean([d[r] for d in dice.values()])), 4) for r in ("WT", "TC", "ET")})


if __name__ == "__main__":
    main()
