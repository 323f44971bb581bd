"""Write manifest.json for an exported model from the training info and held-out evaluation JSON.

  /usr/bin/python3 -m training.make_manifest --onnx glioma_seg_2mm_v3.onnx \
      --train_info /tmp/gseg/run/train_info.json --postprocess /tmp/gseg/postprocess.json \
      --eval /tmp/gseg/eval.json [--eval_raw ...] [--eval_tta ...] --version 3.0.0 [--hardware ...]

A two-stage model (cascade): --refine_onnx (the refine network's export, in the same folder) and
--refine_train_info (train_refine.py's train_info.json); --eval and its siblings must then be evaluate.py runs
with --refine (the cascade is what the app and the CLI run). --refine_average: the refine network is one network
whose weights are the mean of the --refine_train_info networks' (export.py --average). --refine_init_train_info: the
refine network was fine-tuned from such an average (v8 from v7); the average's members' records.

For an ensemble (export.py --ckpt a,b,...), --train_info takes each member's train_info.json, comma-separated,
in the same order; the members must share their training and held-out cases.

--postprocess is choose_postprocess.py's output (chosen on the training cases); --eval must then be the
held-out evaluation with those settings (evaluate.py --min_component/--min_enhancing), since the app and
the CLI apply them by default. --eval_raw: the same without post-processing; --eval_tta: with mirroring.
"""
import argparse, hashlib, json, os
import onnx

UNET = ("3D U-Net, 4 levels, channels 16/32/64/128, two 3x3x3 Conv+InstanceNorm+LeakyReLU(0.01) (instance norm written as "
        "staged ReduceMean ops, see export.py) per level, stride-2 Conv down, trilinear Resize x2 + concat skip + Conv up, "
        "1x1x1 Conv head")


AUGMENTATION = {  # train.py --aug
    "light": "random rotation (+-10 deg per axis) and scaling (0.9-1.1) with p 0.5, flips on all three axes, "
             "per-channel intensity scale (0.9-1.1) and shift (+-0.1) inside the brain",
    "heavy": "random rotation (+-20 deg per axis) and scaling (0.8-1.25) with p 0.7, flips on all three axes; per channel "
             "inside the brain: gamma 0.7-1.5 on the channel's range (p 0.3), contrast 0.75-1.25 about the mean (p 0.3), "
             "scale 0.8-1.2 and shift +-0.2, Gaussian noise sd up to 0.1 (p 0.15); low-resolution copy (nearest down by "
             "1-2x, trilinear up; p 0.15)",
}


def model_record(path, graph):
    return {"file": os.path.basename(path), "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
            "bytes": os.path.getsize(path), "opset": graph.opset_import[0].version, "precision": "fp32",
            "ops": sorted({n.op_type for n in graph.graph.node}),
            "parameters": sum(int(__import__('numpy').prod(i.dims)) for i in graph.graph.initializer if len(i.dims))}


def architecture(members, averaged=False):
    if averaged:
        return f"{UNET}; its weights the mean of {members} networks' weights (a uniform model soup, export.py --average)"
    return UNET if members == 1 else f"ensemble: the mean of the logits of {members} networks (Add, then Mul by 1/{members}), each a {UNET}"


def read_train_infos(paths):
    """train_info.json files, comma-separated (an ensemble's members), which must share their training and held-out cases."""
    infos = [json.load(open(path)) for path in paths.split(",")]
    for info in infos:  # the first train_refine.py runs kept the held-out cases only in their arguments
        info.setdefault("holdout", sorted(s for s in info["args"]["holdout"].split(",") if s))
    if any((i["train_cases"], i["holdout"]) != (infos[0]["train_cases"], infos[0]["holdout"]) for i in infos):
        raise SystemExit("the ensemble's members were trained on different cases: no common held-out set")
    return infos


def training_record(infos, augmentation=None):
    """One network's training record, or an ensemble's ({"members": [one per network]}); `augmentation` names the
    AUGMENTATION entry when the training script has no --aug (train_refine.py always trains with "heavy")."""
    def member(info):
        return {"iterations": info["iterations"], "wall_minutes": round(info["minutes"], 1), "hyperparameters": info["args"],
                "augmentation": AUGMENTATION[augmentation or info["args"].get("aug", "light")]}
    return member(infos[0]) if len(infos) == 1 else {"members": [member(i) for i in infos]}


def refine_sampling(args):
    """How train_refine.py drew its cases and windows (--lgg_weight, --window; older runs had neither)."""
    cases = (f"cases drawn with lower-grade gliomas (TCIA10_*, TCIA13_*) weighted {args['lgg_weight']:g}x, the rest 1x; "
             if args.get("lgg_weight", 1.0) != 1.0 else "cases drawn uniformly; ")
    if args.get("window") == "box":
        return (cases + f"the box the cascade hands the network: the expert tumour's bounding box grown by {args['margin']} voxels, "
                f"each face moved by up to {args['jitter']} voxels, clipped to the volume, each axis grown to a multiple of 8; "
                "hard 1 mm region targets")
    return (cases + f"windows of {args['smin']}-{args['smax']} voxels per axis (multiples of 8) centred "
            f"in the expert tumour's box grown by {args['margin']} voxels; hard 1 mm region targets")


def metrics(e):
    return {"per_case": {c: {r: {"dice": round(v["dice"], 4), "hd95_mm": None if v["hd95"] is None else round(v["hd95"], 2)}
                             for r, v in rs.items()} for c, rs in e["cases"].items()},
            "mean": {r: {"dice": round(v["dice"], 4), "hd95_mm": None if v["hd95"] is None else round(v["hd95"], 2),
                         "hd95_cases": v["hd95_n"]} for r, v in e["mean"].items()}}


def main():
    """Parse the arguments, check them against each other, write manifest.json next to --onnx."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--train_info", required=True, help="train_info.json; an ensemble's: one per member, comma-separated")
    ap.add_argument("--eval", required=True)
    ap.add_argument("--eval_tta")
    ap.add_argument("--eval_raw", help="held-out evaluation without post-processing")
    ap.add_argument("--postprocess", help="choose_postprocess.py output: the post-processing to ship")
    ap.add_argument("--refine_onnx", help="the cascade's refine network (export.py of a train_refine.py checkpoint)")
    ap.add_argument("--refine_train_info", help="the refine network's train_info.json; an ensemble's: one per member, comma-separated")
    ap.add_argument("--refine_average", action="store_true",
                    help="the refine network is the weight average of the --refine_train_info networks (export.py --average)")
    ap.add_argument("--refine_init_train_info",
                    help="when the refine network was fine-tuned from an earlier weight average (train_refine.py --init X.onnx): "
                         "the train_info.json of X's members, comma-separated, so the manifest keeps the whole lineage")
    ap.add_argument("--notes", default="", help="how the first-stage model was trained and chosen")
    ap.add_argument("--refine_notes", default="", help="the same for the refine stage")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--hardware", default="2 shared CPU cores (nice 15), PyTorch 1.13 (Debian python3-torch)")
    a = ap.parse_args()

    ev = json.load(open(a.eval))
    chosen = json.load(open(a.postprocess))["chosen"] if a.postprocess else {"min_component_voxels": 0, "min_enhancing_voxels": 0}
    if (ev.get("min_component", 0), ev.get("min_enhancing", 0)) != (chosen["min_component_voxels"], chosen["min_enhancing_voxels"]):
        raise SystemExit("--eval was not run with the post-processing this manifest ships")
    if bool(a.refine_onnx) != bool(a.refine_train_info):
        raise SystemExit("--refine_onnx and --refine_train_info go together")
    if bool(a.refine_onnx) != ("refine" in ev):
        raise SystemExit("--eval must be the cascade's evaluation (evaluate.py --refine) exactly when the manifest has a refine stage")
    if a.refine_onnx and os.path.dirname(os.path.abspath(a.refine_onnx)) != os.path.dirname(os.path.abspath(a.onnx)):
        raise SystemExit("the refine network must be in the model's folder")
    m = onnx.load(a.onnx)

    infos = read_train_infos(a.train_info)
    ti = infos[0]

    man = {
        "format": "gliolens-segmentation-manifest/1",
        "name": "glioma_seg_2mm",
        "version": a.version,
        "task": "glioma sub-region segmentation (BraTS labels 1 NCR/NET, 2 ED, 4 ET)",
        "intended_use": "research and teaching only; not a medical device; not for diagnosis or treatment decisions",
        "model": {**model_record(a.onnx, m), "architecture": architecture(len(infos))},
        "input": {
            "name": "input", "dtype": "float32", "shape": [1, 4, 80, 96, 80],
            "layout": "[N, C, k, j, i]: the last axis is the NIfTI first voxel index i (fastest in a NIfTI buffer), then j, then k",
            "channels": ["T1", "T1c", "T2", "FLAIR"], "channel_files": ["t1", "t1ce", "t2", "flair"],
            "spatial_dims_dynamic": True, "spatial_multiple": 8,
            "note": ("last trained on random sub-windows (multiples of 8, 48 up to 80x96x80) and validated on exactly [1,4,80,96,80]; "
                     "smaller windows (sliding-window inference) run but are not validated"
                     if any(i["args"].get("random_windows") for i in infos) else
                     "trained and validated on exactly [1,4,80,96,80]; other sizes (multiples of 8) run but are not validated"),
        },
        "preprocessing": {
            "expects": "four co-registered, skull-stripped volumes on one 1 mm isotropic grid (BraTS convention, SRI24); "
                       "Gliolens turns other voxel-axis orders into `orientation` (axes permuted and flipped, no interpolation), "
                       "resamples other voxel sizes to 1 mm (linear, IBSI centre-aligned grid) and maps the labels back onto "
                       "the input grid (nearest)",
            "steps": [
                "read each modality as float32 (value * scl_slope + scl_inter when scl_slope is set and non-zero)",
                "voxel axes into `orientation` (LPS, as BraTS stores them: i towards the left, j towards the back, k up) "
                "by permuting and flipping them when the affine says otherwise",
                "brain mask M = voxels where any of the four modalities is non-zero",
                "per modality: mu = mean over M, sd = population standard deviation over M (ddof 0, accumulate in float64); "
                "value = (v - mu) / sd inside M, 0 outside M",
                "bounding box of M per axis: lo = first index, hi = last index + 1; centre c = floor((lo + hi) / 2)",
                "window of 160 x 192 x 160 voxels (i, j, k) starting at s = c - [80, 96, 80]; voxels outside the volume are 0",
                "downsample the window by the mean of each 2x2x2 block -> 80 x 96 x 80 (i, j, k) at 2 mm",
                "lay out as [1, 4, k, j, i] (channel order T1, T1c, T2, FLAIR)",
            ],
            "brain_mask": "union of non-zero voxels of the four modalities",
            "normalization": {"type": "zscore", "region": "brain_mask", "std_ddof": 0, "outside_mask_value": 0.0},
            "source_spacing_mm": [1.0, 1.0, 1.0],
            "orientation": "LPS",
            "window_source_voxels_ijk": [160, 192, 160],
            "window_start": "floor((lo + hi) / 2) - [80, 96, 80] per axis (i, j, k)",
            "resample": {"method": "2x2x2 block mean", "spacing_mm": [2.0, 2.0, 2.0]},
            "network_grid_ijk": [80, 96, 80],
        },
        "output": {
            "name": "logits", "dtype": "float32", "shape": [1, 3, 80, 96, 80], "layout": "[N, C, k, j, i]",
            "activation": "sigmoid (per channel, independent)",
            "channels": [{"index": 0, "region": "WT", "labels": [1, 2, 4]},
                         {"index": 1, "region": "TC", "labels": [1, 4]},
                         {"index": 2, "region": "ET", "labels": [4]}],
            "thresholds": {"WT": 0.5, "TC": 0.5, "ET": 0.5},
            "upsampling": "sigmoid probabilities upsampled x2 trilinearly with half-pixel centres (PyTorch align_corners=False, "
                          "ONNX Resize half_pixel, edge clamped) to the 160x192x160 window, pasted at window_start; 0 outside the window",
            "label_map": "start at 0; set 2 where p_WT > 0.5; then 1 where p_TC > 0.5; then 4 where p_ET > 0.5 (later overwrites earlier)",
            "postprocessing": "see `postprocess` (applied by default, and in the reported held_out metrics); test-time mirroring "
                              "(input + its flips along i, j, k, probabilities averaged) is optional and reported separately",
        },
        "training": {
            "data": "BraTS 2018 training cases in ../shared/data/brats2018 (14 cases; research/teaching use under the BraTS terms)",
            "train_cases": ti["train_cases"], "held_out_cases": ti["holdout"],
            **training_record(infos),
            "loss": "binary cross-entropy + soft Dice (per region), soft 2 mm targets (2x2x2 block mean of the 1 mm region masks)",
            "hardware": a.hardware,
        },
        "validation": {
            "protocol": "held-out cases, scored at the original 1 mm grid after the full pipeline above; "
                        "Dice; HD95 = 95th percentile of pooled symmetric surface distances (mm), medpy definition; "
                        "HD95 is undefined (null) when exactly one of prediction/truth is empty and then left out of the mean",
            "metrics_belong_to": "this exact model file (trained without the held-out cases)",
            "held_out": metrics(ev),
        },
        "parity": {"reference_dir": "reference", "script": "reference.py", "checker": "check_ort.cjs"},
    }
    man["postprocess"] = {
        "min_component_voxels": chosen["min_component_voxels"],
        "min_enhancing_voxels": chosen["min_enhancing_voxels"],
        "meaning": "after the label map: clear 26-connected tumour components (label > 0) under min_component_voxels, "
                   "except the largest (a small tumour is never erased whole); "
                   "then, when the whole map has fewer than min_enhancing_voxels ET voxels, relabel them 1 (0 = off)",
        "chosen_on": "the training cases only (choose_postprocess.py: best mean Dice over WT/TC/ET on a grid), never the held-out cases",
    }
    if a.eval_raw:
        man["validation"]["held_out_without_postprocess"] = metrics(json.load(open(a.eval_raw)))
    if a.notes:
        man["training"]["notes"] = a.notes
    if a.eval_tta:
        man["validation"]["held_out_with_mirroring_tta"] = metrics(json.load(open(a.eval_tta)))
    if a.refine_onnx:
        refine_infos = read_train_infos(a.refine_train_info)
        ri = refine_infos[0]
        if (ri["train_cases"], ri["holdout"]) != (ti["train_cases"], ti["holdout"]):
            raise SystemExit("the refine network was trained on other cases than the whole-brain one")
        man["refine"] = {
            "what": "second stage of a cascade: the whole-brain labels (post-processed) give a box around the tumour, segmented "
                    "again at 1 mm by this network; its labels replace the first stage's inside the box, then `postprocess` again",
            "model": {**model_record(a.refine_onnx, onnx.load(a.refine_onnx)), "architecture": architecture(len(refine_infos), a.refine_average)},
            "input": {"name": "input", "dtype": "float32", "layout": "[N, C, k, j, i]", "channels": ["T1", "T1c", "T2", "FLAIR"],
                      "spatial_dims_dynamic": True, "spatial_multiple": 8,
                      "normalization": "the first stage's z-score (over the whole brain mask), at 1 mm, no downsampling"},
            "box": {"margin_voxels": ev["margin"], "multiple": 8,
                    "rule": "bounding box of label > 0 grown by margin_voxels per side and clipped to the volume; each axis then "
                            "grown to a multiple of `multiple`, floor(extra / 2) before and the rest after (may reach outside the "
                            "volume: zeros there)"},
            "output": {"name": "logits", "activation": "sigmoid (per channel, independent)", "channels": ["WT", "TC", "ET"],
                       "thresholds": {"WT": 0.5, "TC": 0.5, "ET": 0.5},
                       "label_map": "as the first stage's, at 1 mm (no upsampling)"},
            "parity": {"reference_dir": "reference/refine", "script": "reference.py --out reference/refine"},
            "training": {**training_record(refine_infos, augmentation="heavy"), "init": ri["args"]["init"],
                         "sampling": refine_sampling(ri["args"]),
                         **({"init_members": training_record(read_train_infos(a.refine_init_train_info), augmentation="heavy")}
                            if a.refine_init_train_info else {}),
                         **({"notes": a.refine_notes} if a.refine_notes else {})},
        }
    out = os.path.join(os.path.dirname(os.path.abspath(a.onnx)), "manifest.json")
    json.dump(man, open(out, "w"), indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main()
