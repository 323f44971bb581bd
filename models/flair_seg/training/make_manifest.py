"""Writes models/flair_seg/manifest.json (format gliolens-flair-manifest/1, docs/manifest.md) for the exported network:
the settings the core runs on (those of preprocess.py), the file's digest, and the cross-validated scores of
evaluate.py. Usage: python3 -m training.make_manifest --onnx ../flair_abnormality_2d.onnx --oof /tmp/flair_seg/oof.json
--train_info /tmp/flair_seg/cv/all/train_info.json --version 1.0.0"""
import argparse, hashlib, json, os
import onnx
from .cases import FOLDS
from .preprocess import ORIENTATION, SCALE_QUANTILE, SPACING_MM, WINDOW


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--oof", required=True)
    ap.add_argument("--train_info", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--min_component_mm3", type=float, default=None, help="default: the choice on all out-of-fold cases")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "manifest.json"))
    a = ap.parse_args()
    data = open(a.onnx, "rb").read()
    graph = onnx.load(a.onnx)
    oof = json.load(open(a.oof))
    info = json.load(open(a.train_info))
    params = sum(int(__import__("numpy").prod(t.dims)) for t in graph.graph.initializer)
    minimum = oof["choice_on_all_cases"] if a.min_component_mm3 is None else a.min_component_mm3
    manifest = {
        "format": "gliolens-flair-manifest/1",
        "name": "flair_abnormality_2d",
        "version": a.version,
        "task": "FLAIR abnormality (= whole tumour) of a glioma, one label, from FLAIR alone",
        "intended_use": "research and teaching only; not a medical device; not for diagnosis or treatment decisions",
        "model": {"file": os.path.basename(a.onnx), "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                  "opset": 17, "precision": "fp32", "ops": sorted({n.op_type for n in graph.graph.node}), "parameters": params},
        "input": {"name": "flair", "dtype": "float32", "channels": ["FLAIR"], "layout": "slices", "spatial_multiple": 16},
        "preprocessing": {"orientation": "".join(ORIENTATION), "slice_axis": "k", "window_pixels": [WINDOW, WINDOW],
                          "shrink_window_to_nonzero": True,
                          "spacing_mm": [SPACING_MM, SPACING_MM], "interpolation": "linear",
                          "intensity": {"type": "divide_by_quantile", "quantile": SCALE_QUANTILE, "region": "nonzero"},
                          "skip_empty_slices": True},
        "inference": {"slices_per_run": 16},
        "output": {"name": "logits", "activation": "sigmoid", "threshold": 0.5, "label": 1, "region": "FLAIR abnormality"},
        "postprocess": {"min_component_mm3": minimum},
        "training": {"cases": len(info["train_cases"]), "iterations": info["iterations"],
                     "wall_minutes": round(info["minutes"], 1)},
        "validation": {"cross_validated": {
            "folds": FOLDS,
            **({"folds_scored": oof["folds_scored"]} if len(oof.get("folds_scored", range(FOLDS))) < FOLDS else {}),
            **{source: {k: round(v, 4) if isinstance(v, float) else v for k, v in s.items()} for source, s in oof["summary"].items()}}},
    }
    json.dump(manifest, open(a.out, "w"), indent=1)
    open(a.out, "a").write("\n")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
