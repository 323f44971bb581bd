"""Writes the parity reference of the core's FLAIR preprocessing and post-processing (core/segmentation/flair_model.cpp)
from this package's reference implementation (preprocess.py), for one case of each cohort: the window centre and
intensity scale, each kept slice's index, sum and sum of squares, the input at fixed sample positions, and, for
synthetic logits (a fixed function of the window position), the mask's voxel count on each slice of the volume; with
--ckpt (the shipped network's PyTorch checkpoint) and --min_component_mm3 (the manifest's), also the voxel count on
each slice of the mask the network itself gives, after the clean-up (ONNX Runtime must reproduce it).
Usage: python3 -m training.reference --out reference/preprocess_expected.json [--ckpt CKPT --min_component_mm3 N]"""
import argparse, json, os
import numpy as np
from .cases import SHARED
from .preprocess import intensity_scale, load_lps, network_input, probabilities_on_volume

CASES = {"lgg_flair/TCGA_CS_4942_19970222/flair.nii.gz": "TCGA_CS_4942_19970222",
         "brats2018/Brats18_2013_11_1/Brats18_2013_11_1_flair.nii.gz": "Brats18_2013_11_1"}


def synthetic_logits(slices, window):
    """logit[s, v, u] = sin(u / 7) + cos(v / 5) + 0.1 s - 0.5 for kept slice number s (v rows j, u columns i)."""
    s, v, u = np.meshgrid(np.arange(slices), np.arange(window[1]), np.arange(window[0]), indexing="ij")
    return (np.sin(u / 7.0) + np.cos(v / 5.0) + 0.1 * s - 0.5).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ckpt")
    ap.add_argument("--base", type=int, default=12)
    ap.add_argument("--min_component_mm3", type=float, default=0)
    a = ap.parse_args()
    network = None
    if a.ckpt:
        import torch
        from .model import UNet2D
        network = UNet2D(a.base)
        network.load_state_dict(torch.load(a.ckpt))
        network.eval()
    out = {"note": "written by models/flair_seg/training/reference.py; paths relative to ../shared/data",
           "synthetic_logits": "sin(u / 7) + cos(v / 5) + 0.1 s - 0.5 for kept slice s, row v, column u", "cases": []}
    rng = np.random.default_rng(7)
    for path, cid in CASES.items():
        volume, spacing = load_lps(os.path.join(SHARED, path))
        x, centre, window = network_input(volume, spacing)
        kept = np.flatnonzero(volume.reshape(-1, volume.shape[2]).any(axis=0))
        x = x[kept, 0]
        samples = [[int(s), int(v), int(u)] for s, v, u in zip(rng.integers(0, len(kept), 200), rng.integers(0, window[1], 200), rng.integers(0, window[0], 200))]
        probability = np.zeros((volume.shape[2], window[1], window[0]), np.float32)
        probability[kept] = 1 / (1 + np.exp(-synthetic_logits(len(kept), window)))
        mask = probabilities_on_volume(probability, volume.shape, centre, spacing) > 0.5
        out["cases"].append({
            "case": cid, "file": path, "dims_lps": list(volume.shape), "spacing_lps": spacing.tolist(),
            "centre_ij": centre.tolist(), "window_ij": list(window), "scale": intensity_scale(volume), "kept_slices": kept.tolist(),
            "slice_sum": x.sum(axis=(1, 2), dtype=np.float64).tolist(),
            "slice_sum_sq": (x.astype(np.float64) ** 2).sum(axis=(1, 2)).tolist(),
            "samples": [[s, v, u, float(x[s, v, u])] for s, v, u in samples],
            "mask_voxels_per_slice_k_lps": mask.reshape(-1, volume.shape[2]).sum(axis=0).astype(int).tolist(),
        })
        if network is not None:
            from .evaluate import clean, segment
            predicted = clean(segment(network, volume, spacing), spacing, a.min_component_mm3)
            out["cases"][-1]["network_mask_voxels_per_slice_k_lps"] = predicted.reshape(-1, volume.shape[2]).sum(axis=0).astype(int).tolist()
            out["cases"][-1]["network_min_component_mm3"] = a.min_component_mm3
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    json.dump(out, open(a.out, "w"), indent=1)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
