"""The cross-validation of recipe.py, summed up: every fold folder's scores (fold.json = v10's recipe, fold_v9.json,
fold_v7.json), each case scored by the fold that held it out, so that the recipes are compared on cases none of them
trained on.

  /usr/bin/python3 -m training.cv_summary /tmp/cv/fold0 /tmp/cv/fold1 ... [--json /tmp/cv/summary.json]

Prints, per recipe: the mean Dice per region over the cases scored so far, the mean of the case means, the same for
the lower-grade and the high-grade cases apart; then each case's mean under every recipe, and the paired difference
of v10's recipe against the others. A folder whose fold has not finished is left out, and said so; a case scored by
two folders (they overlap), or folds run at different --scale, are refused.
"""
import argparse, json, os
import numpy as np

from .loop import is_lower_grade

REGIONS = ("WT", "TC", "ET")
RECIPES = {"v10": "fold.json", "v9": "fold_v9.json", "v7": "fold_v7.json"}


def case_scores(folders):
    """{recipe: {case: {region: dice}}} over the folders' finished folds, and the folders left out."""
    scores = {recipe: {} for recipe in RECIPES}
    unfinished, scales = [], set()
    for folder in folders:
        paths = {recipe: os.path.join(folder, name) for recipe, name in RECIPES.items()}
        if not all(os.path.isfile(p) for p in paths.values()):
            unfinished.append(folder)
            continue
        for recipe, path in paths.items():
            fold = json.load(open(path))
            scales.add(fold["recipe"]["scale"])
            for case, regions in fold["cases"].items():
                if case in scores[recipe]:
                    raise SystemExit(f"{case} is held out by two folds ({folder} and an earlier one): one fold each")
                scores[recipe][case] = {r: regions[r]["dice"] for r in REGIONS}
    if len(scales) > 1:
        raise SystemExit(f"the folds were run at different --scale ({', '.join(map(str, sorted(scales)))}): not comparable")
    return scores, unfinished, scales.pop() if scales else None


def case_mean(dice):
    """One case's mean Dice over the regions, from {region: dice}."""
    return float(np.mean([dice[r] for r in REGIONS]))


def summary(per_case):
    """Mean Dice per region, mean of case means, over the given {case: {region: dice}}."""
    if not per_case:
        return None
    return {**{r: float(np.mean([d[r] for d in per_case.values()])) for r in REGIONS},
            "mean_of_case_means": float(np.mean([case_mean(d) for d in per_case.values()])),
            "cases": len(per_case)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="+", help="recipe.py --out folders, one per fold")
    ap.add_argument("--json", help="write the summary here too")
    a = ap.parse_args()
    scores, unfinished, scale = case_scores(a.folders)
    for folder in unfinished:
        print(f"{folder}: fold not finished (fold.json, fold_v9.json and fold_v7.json needed), left out")
    if not scores["v10"]:
        raise SystemExit("no finished fold")
    if scale != 1:
        print(f"recipe --scale {scale:g}: a smoke test, not the recipe's numbers")
    out = {"scale": scale, "unfinished": unfinished, "recipes": {}}
    for recipe, per_case in scores.items():
        groups = {"all": per_case,
                  "lower_grade": {c: d for c, d in per_case.items() if is_lower_grade(c)},
                  "high_grade": {c: d for c, d in per_case.items() if not is_lower_grade(c)}}
        out["recipes"][recipe] = {name: summary(group) for name, group in groups.items()}
        for name, s in out["recipes"][recipe].items():
            if s:
                print(f"{recipe} {name:11s} ({s['cases']:2d} cases): WT {s['WT']:.3f} TC {s['TC']:.3f} ET {s['ET']:.3f}, "
                      f"mean of case means {s['mean_of_case_means']:.3f}")
    case_means = {recipe: {c: case_mean(d) for c, d in per_case.items()} for recipe, per_case in scores.items()}
    print("case means (v10 / v9 / v7):")
    for case in sorted(case_means["v10"]):
        print(f"  {case}{' (LGG)' if is_lower_grade(case) else ''}: " + " / ".join(f"{case_means[r][case]:.3f}" for r in RECIPES))
    out["paired_difference_of_case_means"] = {}
    for other in ("v9", "v7"):
        differences = [case_means["v10"][c] - case_means[other][c] for c in case_means["v10"]]
        paired = {"mean": float(np.mean(differences)), "better_cases": int(sum(d > 0 for d in differences)),
                  "cases": len(differences)}
        out["paired_difference_of_case_means"][f"v10-{other}"] = paired
        print(f"v10 - {other}: mean {paired['mean']:+.4f}, better on {paired['better_cases']} of {paired['cases']} cases")
    out["case_means"] = case_means
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
