"""The whole recipe of the shipped cascade (v10), from scratch, for any held-out cases: one command, so that it can be
cross-validated (k folds of the 14 cases) rather than judged on the three cases it was developed against.

  /usr/bin/python3 -m training.recipe --out /tmp/cv/fold0 --fold 0/5
  /usr/bin/python3 -m training.recipe --out /tmp/cv/v10 --holdout Brats18_TCIA10_637_1,Brats18_2013_3_1,Brats18_CBICA_AME_1

Runs, each stage warm-started from the one before, every one bounded by iterations (the shipped networks were mostly
bounded by wall time; these are their iteration counts): train.py v1 -> v2 -> v4 -> v5 (the first stage), three
train_refine.py seeds from v5, their weight average (v7's refine network), three fine-tunes of that average on
inference-shaped boxes with the lower-grade cases drawn 3x (seeds 17, 18, 19; the first alone is v9's recipe), their
weight average (v10's), export.py of each, and evaluate.py of three cascades on the held-out cases with the shipped
post-processing: fold.json (v10's recipe), fold_v9.json and fold_v7.json (written once the soup exists, before the
box fine-tunes), so that a fold compares them out of sample.
A training stage that finished (its train_info.json exists) is not run again, and one that was stopped resumes from its
last save (loop.py's resume.pt, every 5 minutes: weights, Adam's moments, iteration and random streams, so the
result is the uninterrupted run's, bit for bit); one trained for other held-out cases, or a box fine-tune with another
--lgg_weight, is refused.
--scale multiplies every iteration count (a smoke test: 0.01).
About 4 hours per fold on 2 CPU cores (estimated from the per-iteration times). cv_summary.py sums the folds up.
"""
import argparse, json, os, subprocess, sys

from .loop import is_lower_grade
from .paths import BRATS_DATA as DATA, MODEL_DIR

# (name, module, iterations, arguments): the shipped chain (HISTORY.md, Training steps 1-7, 9 and 10).
FIRST_STAGE = [
    ("v1", "train", 169, ["--aug", "light", "--patch", "48", "--batch", "1", "--lr", "3e-3", "--warmup", "20",
                             "--fg_frac", "0.7", "--full_frac", "0.15", "--seed", "1"]),
    ("v2", "train", 978, ["--aug", "light", "--patch", "48", "--batch", "2", "--lr", "2e-3", "--warmup", "30",
                             "--fg_frac", "0.5", "--full_frac", "0.2", "--seed", "2"]),
    ("v4", "train", 2955, ["--aug", "heavy", "--patch", "48", "--batch", "2", "--lr", "1.5e-3", "--warmup", "30",
                              "--fg_frac", "0.6", "--full_frac", "0.15", "--seed", "4"]),
    ("v5", "train", 390, ["--aug", "heavy", "--random_windows", "--patch", "48", "--batch", "2", "--lr", "5e-4",
                             "--warmup", "20", "--fg_frac", "0.6", "--full_frac", "1.0", "--seed", "7"]),
]
REFINE_SEEDS = [11, 12, 13]
REFINE_ITERATIONS = 600
LGG_WEIGHT = 3.0  # the box fine-tunes draw lower-grade cases this many times as often (v9, v10)
BOX_FINE_TUNE = (600, ["--window", "box", "--batch", "1", "--lr", "3e-4", "--lgg_weight", LGG_WEIGHT])
BOX_SEEDS = [17, 18, 19]  # v7 -> each; seed 17 alone is v9, the three's weight average v10
MIN_COMPONENT_VOXELS = 5000


def fold_cases(cases, fold, folds):
    """Fold `fold` of `folds`: the lower-grade cases first, then the rest, dealt out in turn, so that every fold gets
    its share of the few LGG."""
    if not 0 <= fold < folds <= len(cases):
        raise SystemExit(f"--fold {fold}/{folds}: need 0 <= fold < folds <= {len(cases)} cases")
    ordered = sorted(c for c in cases if is_lower_grade(c)) + sorted(c for c in cases if not is_lower_grade(c))
    return sorted(ordered[fold::folds])


def finished(out, holdout, lgg_weight=1.0):
    """Whether the training stage in `out` has finished (its train_info.json exists). A stage trained with other held-out
    cases (another fold in the same --out) is refused: reusing it would score cases it trained on; so is one trained
    with another --lgg_weight (an older recipe's run: v8's box fine-tune drew every case equally)."""
    info_path = os.path.join(out, "train_info.json")
    if not os.path.isfile(info_path):
        return False
    info = json.load(open(info_path))
    trained_without = sorted(info["holdout"])
    if trained_without != sorted(holdout):
        raise SystemExit(f"{out} was trained with the held-out cases {', '.join(trained_without)}, not "
                         f"{', '.join(sorted(holdout))}: give each fold its own --out")
    trained_weight = float(info["args"].get("lgg_weight", 1.0))
    if trained_weight != lgg_weight:
        raise SystemExit(f"{out} was trained with --lgg_weight {trained_weight:g}, this recipe uses {lgg_weight:g}: "
                         "give it its own --out")
    return True


def run(module, *arguments):
    """Runs this package's `module` (`python3 -m training.NAME`, with this interpreter) in a process of its own, from any folder."""
    command = [sys.executable, "-m", f"{__package__}.{module}", *map(str, arguments)]
    search_path = os.pathsep.join(filter(None, [MODEL_DIR, os.environ.get("PYTHONPATH")]))
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=dict(os.environ, PYTHONPATH=search_path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    held = ap.add_mutually_exclusive_group(required=True)
    held.add_argument("--holdout", help="comma-separated case ids")
    held.add_argument("--fold", help="i/k: fold i of k over the cases in --data")
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every iteration count")
    a = ap.parse_args()
    cases = sorted(c for c in os.listdir(a.data) if os.path.isdir(os.path.join(a.data, c)))
    if a.fold:
        fold, folds = (int(n) for n in a.fold.split("/"))
        holdout = fold_cases(cases, fold, folds)
    else:
        holdout = a.holdout.split(",")
        if unknown := sorted(set(holdout) - set(cases)):
            raise SystemExit(f"--holdout: no such case in {a.data}: {', '.join(unknown)}")
    os.makedirs(a.out, exist_ok=True)
    iterations = lambda n: max(1, round(n * a.scale))
    common = ["--holdout", ",".join(holdout)]

    run("cache", "--data", a.data)  # each case is cached once: a filled cache costs nothing, a partial one is completed
    run("cache", "--refine", "--data", a.data)

    previous = None
    for name, module, count, arguments in FIRST_STAGE:
        out = os.path.join(a.out, name)
        if not finished(out, holdout):
            run(module, "--out", out, "--iterations", iterations(count), *common, *arguments,
                *(["--init", os.path.join(previous, "ckpt.pt")] if previous else []))
        previous = out
    first_stage = os.path.join(previous, "ckpt.pt")

    members = []
    for seed in REFINE_SEEDS:
        out = os.path.join(a.out, f"refine{seed}")
        if not finished(out, holdout):
            run("train_refine", "--out", out, "--init", first_stage, "--iterations", iterations(REFINE_ITERATIONS),
                "--seed", seed, *common)
        members.append(os.path.join(out, "ckpt.pt"))

    first_onnx, soup_onnx = os.path.join(a.out, "first_stage.onnx"), os.path.join(a.out, "refine_soup.onnx")
    run("export", "--ckpt", first_stage, "--onnx", first_onnx)
    run("export", "--ckpt", ",".join(members), "--average", "--spacing_mm", "1", "--onnx", soup_onnx)
    # scored before the box fine-tunes start, so that a fold cut short there still compares v7's recipe
    evaluate_cascade(a, first_onnx, soup_onnx, holdout, os.path.join(a.out, "fold_v7.json"))

    fine_tunes = []
    count, arguments = BOX_FINE_TUNE
    for seed in BOX_SEEDS:
        out = os.path.join(a.out, f"refine_box{seed}")
        if not finished(out, holdout, LGG_WEIGHT):
            run("train_refine", "--out", out, "--init", soup_onnx, "--iterations", iterations(count), *arguments,
                "--seed", seed, *common)
        fine_tunes.append(os.path.join(out, "ckpt.pt"))
    single_onnx, refine_onnx = os.path.join(a.out, "refine_box.onnx"), os.path.join(a.out, "refine.onnx")
    run("export", "--ckpt", fine_tunes[0], "--spacing_mm", "1", "--onnx", single_onnx)
    run("export", "--ckpt", ",".join(fine_tunes), "--average", "--spacing_mm", "1", "--onnx", refine_onnx)

    for name, refine in (("fold_v9.json", single_onnx), ("fold.json", refine_onnx)):
        evaluate_cascade(a, first_onnx, refine, holdout, os.path.join(a.out, name))


def evaluate_cascade(a, first_onnx, refine_onnx, holdout, result):
    """evaluate.py of the cascade on the held-out cases -> `result`, with how it was made."""
    run("evaluate", "--ckpt", first_onnx, "--refine", refine_onnx, "--min_component", MIN_COMPONENT_VOXELS,
        "--data", a.data, "--cases", ",".join(holdout), "--json", result)
    scores = json.load(open(result))
    scores["recipe"] = {"holdout": holdout, "scale": a.scale, "fold": a.fold}
    json.dump(scores, open(result, "w"), indent=1)
    print(os.path.basename(result), "held out", holdout, json.dumps({r: round(v["dice"], 4) for r, v in scores["mean"].items()}),
          flush=True)


if __name__ == "__main__":
    main()
