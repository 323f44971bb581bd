"""Choose the post-processing the manifest ships (`postprocess`: min_component_voxels, min_enhancing_voxels)
on the TRAINING cases only, so that the held-out numbers stay an honest estimate.

  /usr/bin/python3 models/glioma_seg/choose_postprocess.py --ckpt /tmp/gseg/run/ckpt.pt \
      --cases Brats18_2013_11_1,... --json /tmp/gseg/postprocess.json [--tta]

Runs the network once per case, then scores every pair of the grids below with evaluate.py's
post-processing and metrics, and prints the mean Dice per region for each. The choice is the pair with
the best mean of the three regions' mean Dice; ties go to the simpler (smaller thresholds).
"""
import itertools, json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import REGIONS, case_arguments, load_model, mean_scores, postprocess, predict, score
from preprocess import load_case, prepare_case, probs_to_labels

MIN_COMPONENT = (0, 500, 2000, 5000)   # voxels at 1 mm = mm^3
MIN_ENHANCING = (0, 200, 500, 1000)


def main():
    a = case_arguments().parse_args()
    model = load_model(a)
    cases = {}
    for cid in a.cases.split(","):
        vols, seg, _ = load_case(os.path.join(a.data, cid), cid)
        x, start, _ = prepare_case(vols)
        cases[cid] = (probs_to_labels(predict(model, x, a.tta), start, seg.shape), seg)
        print("predicted", cid, flush=True)
    table = []
    for mc, me in itertools.product(MIN_COMPONENT, MIN_ENHANCING):
        res = {cid: score(postprocess(lab.copy(), False, mc, me), seg, with_hd95=False) for cid, (lab, seg) in cases.items()}
        mean = mean_scores(res)
        overall = sum(mean[r]["dice"] for r in REGIONS) / len(REGIONS)
        table.append({"min_component_voxels": mc, "min_enhancing_voxels": me, "mean_dice": overall,
                      "dice": {r: round(mean[r]["dice"], 4) for r in REGIONS}})
        print(f"min_component {mc:5d} min_enhancing {me:5d}  WT {mean['WT']['dice']:.4f} TC {mean['TC']['dice']:.4f} "
              f"ET {mean['ET']['dice']:.4f}  mean {overall:.4f}", flush=True)
    best = max(table, key=lambda row: (round(row["mean_dice"], 4), -row["min_component_voxels"], -row["min_enhancing_voxels"]))
    print("chosen", json.dumps(best))
    json.dump({"cases": sorted(cases), "tta": a.tta, "ckpt": a.ckpt, "grid": table, "chosen": best}, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
