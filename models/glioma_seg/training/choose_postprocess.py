"""Choose the post-processing the manifest ships (`postprocess`: min_component_voxels, min_enhancing_voxels)
on the TRAINING cases only, so that the held-out numbers stay an honest estimate.

  /usr/bin/python3 -m training.choose_postprocess --ckpt glioma_seg_2mm_v5.onnx \
      [--refine glioma_refine_1mm_v10.onnx] --cases Brats18_2013_11_1,... --json /tmp/gseg/postprocess.json [--tta]

Runs the network once per case (with --refine, the cascade: the refine network once per distinct box), then scores
every combination of the grids below with evaluate.py's post-processing and metrics (the cascade post-processes
twice, as the core does: the first stage's labels, which give the box, and the final ones), and prints the mean Dice
per region for each. The choice is the combination with the best mean of the three regions' mean Dice (to 4 decimals);
among ties, the shipped setting (--keep) when it is one of them - a change must be better on the training cases, not
equal - else the smallest thresholds.
"""
import itertools, json
from .evaluate import REGIONS, case_arguments, case_cascades, score_setting

MIN_COMPONENT = (0, 500, 2000, 5000)   # voxels at 1 mm = mm^3
MIN_ENHANCING = (0, 200, 500, 1000)
MIN_FRACTION = (0.0, 0.05, 0.1, 0.2)  # of the largest component


def main():
    ap = case_arguments()
    ap.add_argument("--keep", default="", help="the shipped setting, min_component_voxels,min_component_fraction,"
                    "min_enhancing_voxels: chosen whenever it ties the best")
    a = ap.parse_args()
    cases = {}
    for cid, cascade, seg, _ in case_cascades(a):
        cases[cid] = (cascade, seg)
        print("predicted", cid, flush=True)
    table = []
    for mc, mf, me in itertools.product(MIN_COMPONENT, MIN_FRACTION, MIN_ENHANCING):
        post = dict(min_component=mc, min_enhancing=me, min_fraction=mf)
        _, mean, overall = score_setting(cases, **post)
        table.append({"min_component_voxels": mc, "min_component_fraction": mf, "min_enhancing_voxels": me,
                      "mean_dice": overall, "dice": {r: round(mean[r]["dice"], 4) for r in REGIONS}})
        print(f"min_component {mc:5d} fraction {mf:.2f} min_enhancing {me:5d}  WT {mean['WT']['dice']:.4f} "
              f"TC {mean['TC']['dice']:.4f} ET {mean['ET']['dice']:.4f}  mean {overall:.4f}", flush=True)
    keep = tuple(float(v) for v in a.keep.split(",")) if a.keep else None
    setting = lambda row: (row["min_component_voxels"], row["min_component_fraction"], row["min_enhancing_voxels"])
    best = max(table, key=lambda row: (round(row["mean_dice"], 4), setting(row) == keep, -row["min_component_voxels"],
                                       -row["min_component_fraction"], -row["min_enhancing_voxels"]))
    ties = [setting(row) for row in table if round(row["mean_dice"], 4) == round(best["mean_dice"], 4)]
    print(f"{len(ties)} settings tie at the best mean Dice:", ties)
    print("chosen", json.dumps(best))
    json.dump({"cases": sorted(cases), "tta": a.tta, "ckpt": a.ckpt, "refine": a.refine, "margin": a.margin,
               "grid": table, "chosen": best}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
