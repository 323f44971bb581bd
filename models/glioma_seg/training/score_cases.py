"""Score the shipped model (or another model folder) on BraTS cases through the real pipeline: each case is segmented by
`gliolens segment` and scored by `gliolens dice`, so the numbers are what a user of the CLI gets. Meant for the cases
kept back to measure generalisation.

  /usr/bin/python3 -m training.score_cases --data DIR [--cases A,B] [--model DIR] [--mirror]
      [--out /tmp/gliolens-score] [--json scores.json]

DIR holds one folder per case in the BraTS layout: DIR/<case>/<case>_{t1,t1ce,t2,flair,seg}.nii.gz. Without --cases
every such folder with a `_seg` file is scored. The model's manifest names the cases it was trained on
(training.train_cases); they are scored but flagged, and the mean over the unseen cases is reported on its own.
"""
import argparse, json, os, subprocess, sys
import numpy as np

from .paths import CLI, MODEL_DIR
MODALITIES = ("t1", "t1ce", "t2", "flair")
REGIONS = ("WT", "TC", "ET")


def cli(*args):
    """Runs `gliolens ARGS` and returns its JSON; a failing command stops with the CLI's own message."""
    done = subprocess.run(["node", CLI, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"gliolens {args[0]} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def case_files(data, cid):
    return {m: os.path.join(data, cid, f"{cid}_{m}.nii.gz") for m in (*MODALITIES, "seg")}


def cases_in(data):
    return sorted(c for c in os.listdir(data) if os.path.isfile(case_files(data, c)["seg"]))


def region_means(scores):
    """Mean Dice and HD95 per region; HD95 over the cases where it is defined (one mask empty: undefined)."""
    means = {}
    for r in REGIONS:
        hd = [s[r]["hd95"] for s in scores if s[r]["hd95"] is not None]
        means[r] = {"dice": float(np.mean([s[r]["dice"] for s in scores])),
                    "hd95": float(np.mean(hd)) if hd else None, "hd95_cases": len(hd)}
    return means


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--cases", default="")
    ap.add_argument("--model", default="", help="a model folder (manifest.json + ONNX); default the shipped model")
    ap.add_argument("--mirror", action="store_true")
    ap.add_argument("--out", default="/tmp/gliolens-score", help="where the predicted label maps are written")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    manifest = json.load(open(os.path.join(a.model or MODEL_DIR, "manifest.json")))
    seen = set(manifest.get("training", {}).get("train_cases", []))
    cases = a.cases.split(",") if a.cases else cases_in(a.data)
    if not cases:
        sys.exit(f"{a.data}: no case folders with a <case>_seg.nii.gz")
    os.makedirs(a.out, exist_ok=True)
    per_case = {}
    for cid in cases:
        files, pred = case_files(a.data, cid), os.path.join(a.out, f"{cid}_pred.nii.gz")
        options = [x for m in MODALITIES for x in (f"--{m}", files[m])] + ["--out", pred]
        options += (["--model", a.model] if a.model else []) + (["--mirror"] if a.mirror else [])
        cli("segment", *options)
        regions = cli("dice", "--pred", pred, "--truth", files["seg"])["regions"]
        per_case[cid] = {r["region"]: {"dice": r["dice"], "hd95": r["hd95"]} for r in regions}
        per_case[cid]["trained_on"] = cid in seen
        print(cid, "(trained on)" if cid in seen else "",
              " ".join(f"{r} {per_case[cid][r]['dice']:.3f}" for r in REGIONS), flush=True)
    unseen = [s for s in per_case.values() if not s["trained_on"]]
    result = {"model": {"name": manifest["name"], "version": manifest["version"]}, "mirror": a.mirror,
              "cases": per_case, "mean_all": region_means(list(per_case.values())),
              "mean_unseen": region_means(unseen) if unseen else None, "unseen_cases": len(unseen)}
    print(f"mean over {len(per_case)} cases", {r: round(result["mean_all"][r]["dice"], 3) for r in REGIONS})
    if unseen:
        print(f"mean over the {len(unseen)} unseen", {r: round(result["mean_unseen"][r]["dice"], 3) for r in REGIONS})
    if a.json:
        json.dump(result, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
