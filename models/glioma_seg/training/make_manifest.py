"""Write manifest.json for an exported model from the training info and held-out evaluation JSON.

  /usr/bin/python3 -m training.make_manifest --onnx glioma_seg_2mm_v3.onnx \
      --train_info /tmp/gseg/run/train_info.json --postprocess /tmp/gseg/postprocess.json \
      --eval /tmp/gseg/eval.json [--eval_raw ...] [--eval_tta ...] --version 3.0.0

A two-stage model (cascade): --refine_onnx (the refine network's export, in the same folder) and
--refine_train_info (train_refine.py's train_info.json); --eval and its siblings must then be evaluate.py runs
with --refine (the cascade is what the app and the CLI run).

For an ensemble (export.py --ckpt a,b,...), --train_info takes each member's train_info.json, comma-separated,
in the same order; the members must share their training and held-out cases.

--postprocess is choose_postprocess.py's output (chosen on the training cases); --eval must then be the
held-out evaluation with those settings (evaluate.py --min_component/--min_enhancing), since the app and
the CLI apply them by default. --eval_raw: the same without post-processing; --eval_tta: with mirroring.

The manifest holds what Gliolens reads (docs/manifest.md: the core refuses any other key) and the facts tests and
scripts read; how the model was trained and chosen goes in MODEL_CARD.md and HISTORY.md, and no machine's paths.
"""
import argparse, hashlib, json, os
import onnx


def model_record(path, graph):
    return {"file": os.path.basename(path), "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest(),
            "bytes": os.path.getsize(path), "opset": graph.opset_import[0].version, "precision": "fp32",
            "ops": sorted({n.op_type for n in graph.graph.node}),
            "parameters": sum(int(__import__('numpy').prod(i.dims)) for i in graph.graph.initializer if len(i.dims))}


def read_train_infos(paths):
    """train_info.json files, comma-separated (an ensemble's members), which must share their training and held-out cases."""
    infos = [json.load(open(path)) for path in paths.split(",")]
    for info in infos:  # the first train_refine.py runs kept the held-out cases only in their arguments
        info.setdefault("holdout", sorted(s for s in info["args"]["holdout"].split(",") if s))
    if any((i["train_cases"], i["holdout"]) != (infos[0]["train_cases"], infos[0]["holdout"]) for i in infos):
        raise SystemExit("the ensemble's members were trained on different cases: no common held-out set")
    return infos


def training_record(infos):
    """The training and held-out cases (tests and scripts read them); one network's iterations and minutes."""
    record = {"train_cases": infos[0]["train_cases"], "held_out_cases": infos[0]["holdout"]}
    if len(infos) == 1:
        record.update({"iterations": infos[0]["iterations"], "wall_minutes": round(infos[0]["minutes"], 1)})
    return record


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
    ap.add_argument("--version", default="1.0.0")
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
        "model": model_record(a.onnx, m),
        "input": {
            "name": "input", "dtype": "float32", "shape": [1, 4, 80, 96, 80],
            "channels": ["T1", "T1c", "T2", "FLAIR"], "channel_files": ["t1", "t1ce", "t2", "flair"],
            "spatial_dims_dynamic": True, "spatial_multiple": 8,
        },
        "preprocessing": {
            "normalization": {"type": "zscore", "region": "brain_mask", "std_ddof": 0, "outside_mask_value": 0.0},
            "source_spacing_mm": [1.0, 1.0, 1.0],
            "orientation": "LPS",
            "window_source_voxels_ijk": [160, 192, 160],
            "resample": {"method": "block_mean", "spacing_mm": [2.0, 2.0, 2.0]},
            "network_grid_ijk": [80, 96, 80],
        },
        "output": {
            "name": "logits", "dtype": "float32", "shape": [1, 3, 80, 96, 80],
            "activation": "sigmoid",
            "channels": [{"index": 0, "region": "WT", "labels": [1, 2, 4]},
                         {"index": 1, "region": "TC", "labels": [1, 4]},
                         {"index": 2, "region": "ET", "labels": [4]}],
            "thresholds": {"WT": 0.5, "TC": 0.5, "ET": 0.5},
        },
        "training": training_record(infos),
        "validation": {"held_out": metrics(ev)},
        "parity": {"reference_dir": "reference", "script": "reference.py", "checker": "check_ort.cjs"},
    }
    man["postprocess"] = {"min_component_voxels": chosen["min_component_voxels"], "min_enhancing_voxels": chosen["min_enhancing_voxels"]}
    if a.eval_raw:
        man["validation"]["held_out_without_postprocess"] = metrics(json.load(open(a.eval_raw)))
    if a.eval_tta:
        man["validation"]["held_out_with_mirroring_tta"] = metrics(json.load(open(a.eval_tta)))
    if a.refine_onnx:
        refine_infos = read_train_infos(a.refine_train_info)
        ri = refine_infos[0]
        if (ri["train_cases"], ri["holdout"]) != (ti["train_cases"], ti["holdout"]):
            raise SystemExit("the refine network was trained on other cases than the whole-brain one")
        man["refine"] = {
            "model": model_record(a.refine_onnx, onnx.load(a.refine_onnx)),
            "input": {"name": "input", "dtype": "float32", "channels": ["T1", "T1c", "T2", "FLAIR"],
                      "spatial_dims_dynamic": True, "spatial_multiple": 8},
            "box": {"margin_voxels": ev["margin"], "multiple": 8},
            "output": {"name": "logits", "activation": "sigmoid", "channels": ["WT", "TC", "ET"],
                       "thresholds": {"WT": 0.5, "TC": 0.5, "ET": 0.5}},
            "parity": {"reference_dir": "reference/refine", "script": "reference.py --out reference/refine"},
        }
    out = os.path.join(os.path.dirname(os.path.abspath(a.onnx)), "manifest.json")
    with open(out, "w") as f:
        f.write(json.dumps(man, indent=1) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
