"""Choose the refine stage's sigmoid threshold (one for WT, TC and ET: the manifest's `refine.thresholds`) on cases
the networks never saw: out-of-fold cases of `recipe.py --fold`, never the shipped model's held-out cases, since
a network fits its training cases and they cannot show whether its sigmoids are too timid on new ones.

  /usr/bin/python3 models/glioma_seg/choose_thresholds.py --ckpt /tmp/cv/fold0/first_stage.onnx \
      --refine /tmp/cv/fold0/refine_box_soup.onnx --min_component 5000 \
      --cases Brats18_TCIA01_378_1,Brats18_TCIA10_628_1 --json /tmp/h18/thresholds.json

The networks run once per case; then every threshold of --grid is scored with the shipped post-processing (the
first stage stays at 0.5, so the box does not move). The choice is the threshold with the best mean over the cases of
the per-case mean Dice (WT, TC, ET); thresholds within --tie of the best go to the one nearest 0.5.
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import REGIONS, case_arguments, case_cascades, mean_scores, score


def main():
    ap = case_arguments()
    ap.add_argument("--min_component", type=int, default=5000, help="as the manifest's postprocess.min_component_voxels")
    ap.add_argument("--grid", default="0.5,0.45,0.4,0.35,0.3,0.25,0.2")
    ap.add_argument("--tie", type=float, default=0.001)
    a = ap.parse_args()
    if not a.refine:
        ap.error("--refine is required: the threshold chosen is the refine stage's")
    cases = {cid: (cascade, seg) for cid, cascade, seg, _ in case_cascades(a)}
    table = []
    for t in (float(v) for v in a.grid.split(",")):
        res = {cid: score(cascade.labels((t, t, t), min_component=a.min_component), seg, with_hd95=False)
               for cid, (cascade, seg) in cases.items()}
        mean = mean_scores(res)
        overall = sum(mean[r]["dice"] for r in REGIONS) / len(REGIONS)
        per_case = {cid: {r: round(res[cid][r]["dice"], 4) for r in REGIONS} | {"volume_ratio_WT": round(
            res[cid]["WT"]["pred_vox"] / max(res[cid]["WT"]["true_vox"], 1), 3)} for cid in res}
        table.append({"threshold": t, "mean_dice": overall, "dice": {r: round(mean[r]["dice"], 4) for r in REGIONS},
                      "cases": per_case})
        print(f"threshold {t:.2f}  WT {mean['WT']['dice']:.4f} TC {mean['TC']['dice']:.4f} ET {mean['ET']['dice']:.4f}"
              f"  mean {overall:.4f}  {json.dumps(per_case)}", flush=True)
    best = max(row["mean_dice"] for row in table)
    chosen = min((row for row in table if row["mean_dice"] >= best - a.tie), key=lambda row: abs(row["threshold"] - 0.5))
    print("chosen", json.dumps({k: chosen[k] for k in ("threshold", "mean_dice", "dice")}))
    json.dump({"cases": sorted(cases), "tta": a.tta, "ckpt": a.ckpt, "refine": a.refine, "margin": a.margin,
               "min_component": a.min_component, "grid": table, "chosen": chosen}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
