"""Choose the refine stage's sigmoid thresholds (the manifest's `refine.thresholds`) on cases the networks never saw:
out-of-fold cases of `recipe.py --fold`, never the shipped model's held-out cases, since a network fits its training
cases and they cannot show whether its sigmoids are too timid on new ones.

  /usr/bin/python3 -m training.choose_thresholds --ckpt /tmp/cv/fold0/first_stage.onnx \
      --refine /tmp/cv/fold0/refine.onnx --cases Brats18_TCIA01_378_1,Brats18_TCIA10_628_1 --json /tmp/h18/t.json
  /usr/bin/python3 -m training.choose_thresholds --folds /tmp/cv/fold0,/tmp/cv/fold1,... \
      [--et_grid 0.5,0.4,0.3] --json /tmp/cv/thresholds.json

--folds: every case each finished fold held out (its fold.json), each through that fold's own networks
(first_stage.onnx, and refine.onnx: v10's recipe). The networks run once per case; then every threshold of --grid
is scored with the shipped post-processing (the first stage stays at 0.5, so the box does not move): one threshold
for WT, TC and ET, or with --et_grid one for WT and TC and another for ET (the false enhancing tumour of a low-grade
glioma grows as ET's falls). The choice is the setting with the best mean over the cases of the per-case mean Dice
(WT, TC, ET); settings within --tie of the best go to the one nearest 0.5.
"""
import argparse, itertools, json, os
from .evaluate import REGIONS, case_arguments, case_cascades, score_setting


def fold_runs(a):
    """(arguments for case_cascades) per fold of --folds, or the command line's own networks and cases."""
    if not a.folds:
        if not (a.ckpt and a.refine and a.cases):
            raise SystemExit("choose_thresholds.py: give --ckpt, --refine and --cases, or --folds")
        return [a]
    runs = []
    for folder in a.folds.split(","):
        scores = os.path.join(folder, "fold.json")
        if not os.path.exists(scores):
            raise SystemExit(f"choose_thresholds.py: {folder} is not a finished recipe.py fold (no fold.json)")
        holdout = json.load(open(scores))["recipe"]["holdout"]
        runs.append(argparse.Namespace(**{**vars(a), "ckpt": os.path.join(folder, "first_stage.onnx"),
                                          "refine": os.path.join(folder, "refine.onnx"), "cases": ",".join(holdout)}))
    return runs


def main():
    ap = case_arguments(networks_required=False)
    ap.add_argument("--folds", default="", help="recipe.py fold folders, comma-separated (instead of --ckpt/--refine/--cases)")
    ap.add_argument("--min_component", type=int, default=5000, help="as the manifest's postprocess.min_component_voxels")
    ap.add_argument("--grid", default="0.5,0.45,0.4,0.35,0.3,0.25,0.2")
    ap.add_argument("--et_grid", default="", help="ET's own grid (WT and TC then share --grid)")
    ap.add_argument("--tie", type=float, default=0.001)
    a = ap.parse_args()
    cases = {}
    for run in fold_runs(a):
        for cid, cascade, seg, _ in case_cascades(run):
            if cid in cases:
                raise SystemExit(f"choose_thresholds.py: {cid} is held out by two folds")
            cases[cid] = (cascade, seg)
            print("predicted", cid, "with", run.refine, flush=True)
    grid = [float(v) for v in a.grid.split(",")]
    settings = ([(t, t, t) for t in grid] if not a.et_grid else
                [(t, t, e) for t, e in itertools.product(grid, (float(v) for v in a.et_grid.split(",")))])
    table = []
    for thresholds in settings:
        res, mean, overall = score_setting(cases, thresholds, min_component=a.min_component)
        per_case = {cid: {r: round(res[cid][r]["dice"], 4) for r in REGIONS} | {"volume_ratio_WT": round(
            res[cid]["WT"]["pred_vox"] / max(res[cid]["WT"]["true_vox"], 1), 3)} for cid in res}
        table.append({"thresholds": dict(zip(REGIONS, thresholds)), "mean_dice": overall,
                      "dice": {r: round(mean[r]["dice"], 4) for r in REGIONS}, "cases": per_case})
        print(f"thresholds {' '.join(f'{r} {t:.2f}' for r, t in zip(REGIONS, thresholds))}  WT {mean['WT']['dice']:.4f} "
              f"TC {mean['TC']['dice']:.4f} ET {mean['ET']['dice']:.4f}  mean {overall:.4f}  {json.dumps(per_case)}", flush=True)
    best = max(row["mean_dice"] for row in table)
    distance = lambda row: sum(abs(t - 0.5) for t in row["thresholds"].values())
    chosen = min((row for row in table if row["mean_dice"] >= best - a.tie), key=distance)
    print("chosen", json.dumps({k: chosen[k] for k in ("thresholds", "mean_dice", "dice")}))
    json.dump({"cases": sorted(cases), "tta": a.tta, "folds": a.folds, "ckpt": a.ckpt, "refine": a.refine,
               "margin": a.margin, "min_component": a.min_component, "grid": table, "chosen": chosen},
              open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
