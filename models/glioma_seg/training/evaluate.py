"""Evaluate a checkpoint (or an ensemble: several, comma-separated) on held-out BraTS cases at the original 1 mm grid.
Exported .onnx files count as checkpoints: the shipped cascade is
  --ckpt glioma_seg_2mm_v5.onnx --refine glioma_refine_1mm_v10.onnx --min_component 5000

  /usr/bin/python3 -m training.evaluate --ckpt /tmp/gseg/run/ckpt.pt[,/tmp/gseg/run2/ckpt.pt] \
      --cases Brats18_TCIA10_637_1,... --json /tmp/gseg/eval.json [--tta] [--post largest]
      [--min_component N] [--min_enhancing N] [--refine REFINE_CKPT [--margin 12] [--refine_thresholds 0.5,0.5,0.5]]

With --refine, the cascade the app runs for a two-stage manifest: the whole-brain labels (post-processed) give a
box, the bounding box of the tumour grown by --margin voxels, clipped to the volume, each axis then grown to a
multiple of 8 (the smaller half of the extra before); the refine network runs on the z-scored 1 mm modalities in
that box in one pass, its nested labels replace the first stage's inside the box, and the post-processing runs again.

Runs the full specified pipeline from the raw NIfTI files (preprocess.prepare_case, network,
preprocess.probs_to_labels), then scores WT={1,2,4}, TC={1,4}, ET={4}:
  Dice = 2|P&T| / (|P| + |T|)  (1 when both are empty)
  HD95 = 95th percentile of the pooled symmetric surface distances in mm (medpy `hd95` definition:
         surface = mask minus its 6-connected erosion; distances by Euclidean distance transform);
         0 when both are empty, undefined (null) when exactly one is empty.
"""
import argparse, json, os, time
import numpy as np
import torch
from scipy import ndimage
from .malloc_reuse import keep_freed_memory
from .model import from_checkpoints
from .paths import BRATS_DATA
from .preprocess import box_to_multiple, brain_mask, extract_window, load_case, nested_labels, prepare_case, probs_to_labels, zscore

REGIONS = {"WT": (1, 2, 4), "TC": (1, 4), "ET": (4,)}


def dice(p, t):
    sp, st = p.sum(), t.sum()
    if sp + st == 0:
        return 1.0
    return float(2 * (p & t).sum() / (sp + st))


def surface(m):
    return m & ~ndimage.binary_erosion(m, structure=ndimage.generate_binary_structure(3, 1), border_value=0)


def hd95(p, t, spacing=(1.0, 1.0, 1.0)):
    if not p.any() and not t.any():
        return 0.0
    if not p.any() or not t.any():
        return None
    sp, st = surface(p), surface(t)
    dt_t = ndimage.distance_transform_edt(~st, sampling=spacing)
    dt_p = ndimage.distance_transform_edt(~sp, sampling=spacing)
    d = np.concatenate([dt_t[sp], dt_p[st]])
    return float(np.percentile(d, 95))


def score(lab, seg, with_hd95=True):
    out = {}
    for r, ls in REGIONS.items():
        p = np.isin(lab, ls); t = np.isin(seg, ls)
        out[r] = {"dice": dice(p, t), "hd95": hd95(p, t) if with_hd95 else None, "pred_vox": int(p.sum()), "true_vox": int(t.sum())}
    return out


def predict(model, x, tta=False):
    """Sigmoid probabilities; with `tta`, the mean over the input and its mirror images along k, j and i
    (one axis at a time: the four passes the app and the CLI run with `mirror`)."""
    with torch.no_grad():
        xt = torch.from_numpy(x)
        p = torch.sigmoid(model(xt))
        if tta:
            for axis in (2, 3, 4):
                p += torch.sigmoid(model(xt.flip([axis]))).flip([axis])
            p /= 4
    return p[0].numpy()


def tumour_components(lab):
    """26-connected components of the tumour (label > 0): the component map and each id's size (id 0 = background)."""
    cc, _ = ndimage.label(lab > 0, structure=np.ones((3, 3, 3)))
    return cc, np.bincount(cc.ravel())


def remove_small_satellites(lab, min_voxels, min_fraction=0.0):
    """The core's `min_component_voxels` (and `min_component_fraction`): clear tumour components under min_voxels, or
    under min_fraction of the largest component, except the largest."""
    cc, sizes = tumour_components(lab)
    if len(sizes) < 2:
        return
    largest = 1 + int(np.argmax(sizes[1:]))
    small = sizes < max(min_voxels, min_fraction * sizes[largest])
    small[0] = False
    small[largest] = False
    lab[small[cc]] = 0


def apply_enhancing_rule(lab, min_voxels):
    """The core's `min_enhancing_voxels`: fewer than min_voxels ET voxels in all -> they become label 1."""
    et = int((lab == 4).sum())
    if 0 < et < min_voxels:
        lab[lab == 4] = 1


def postprocess(lab, largest=False, min_component=0, min_enhancing=0, min_fraction=0.0):
    """In place, in the core's order: tumour components (largest only, or the largest and those of >= min_component
    voxels and >= min_fraction of the largest), then the enhancing-tumour rule."""
    if largest and lab.any():
        cc, sizes = tumour_components(lab)
        lab[cc != 1 + int(np.argmax(sizes[1:]))] = 0
    if min_component or min_fraction:
        remove_small_satellites(lab, min_component, min_fraction)
    if min_enhancing:
        apply_enhancing_rule(lab, min_enhancing)
    return lab


def refine_box(lab, margin, multiple=8):
    """The core's refine_box: (first voxel, size) per axis (i, j, k); None when there is no tumour."""
    tumour = np.nonzero(lab > 0)
    if not len(tumour[0]):
        return None
    return box_to_multiple(np.array([v.min() for v in tumour]) - margin, np.array([v.max() + 1 for v in tumour]) + margin,
                           lab.shape, multiple)


def refine_probabilities(model, vols, box, tta=False):
    """The refine network's sigmoids (3, I, J, K) on `box` = (first voxel, size), as refine_box gives it."""
    lo, size = box
    x = extract_window(zscore(vols, brain_mask(vols)), lo, size)              # (4, i, j, k), zeros outside
    return predict(model, np.ascontiguousarray(x.transpose(0, 3, 2, 1))[None], tta).transpose(0, 3, 2, 1)


def paste_refined(lab, fine, box):
    """In place: the refine labels replace the first stage's inside the box (the part of it within the volume)."""
    lo, size = box
    dst = tuple(slice(max(l, 0), min(l + n, d)) for l, n, d in zip(lo, size, lab.shape))
    src = tuple(slice(t.start - l, t.stop - l) for t, l in zip(dst, lo))
    lab[dst] = fine[src]
    return lab


class Cascade:
    """One case through the shipped pipeline, as the core runs it, for any post-processing setting: the first stage's
    labels post-processed; with a refine network, its labels (at `refine_thresholds`) on the box those give pasted in
    and post-processed again. The refine network runs once per distinct box (the choosers try many settings)."""

    def __init__(self, vols, first_labels, refine_model=None, margin=12, tta=False):
        self.vols, self.first_labels, self.refine_model, self.margin, self.tta = vols, first_labels, refine_model, margin, tta
        self.probabilities = {}

    def labels(self, refine_thresholds=(0.5, 0.5, 0.5), **post):
        """The final labels (I, J, K) with postprocess(**post) applied after each stage."""
        lab = postprocess(self.first_labels.copy(), **post)
        box = refine_box(lab, self.margin) if self.refine_model is not None else None
        if box is None:
            return lab
        key = (tuple(box[0]), tuple(box[1]))
        if key not in self.probabilities:
            self.probabilities[key] = refine_probabilities(self.refine_model, self.vols, box, self.tta)
        return postprocess(paste_refined(lab, nested_labels(self.probabilities[key], refine_thresholds), box), **post)


def score_setting(cases, refine_thresholds=(0.5, 0.5, 0.5), **post):
    """Dice (no HD95) of every case of `cases` ({case id: (its Cascade, its expert labels)}) at one setting: per case,
    the per-region means, and the mean of the three regions' means (what the choosers rank by)."""
    res = {cid: score(cascade.labels(refine_thresholds, **post), seg, with_hd95=False) for cid, (cascade, seg) in cases.items()}
    mean = mean_scores(res)
    return res, mean, sum(mean[r]["dice"] for r in REGIONS) / len(REGIONS)


def mean_scores(res):
    mean = {}
    for r in REGIONS:
        d = [res[c][r]["dice"] for c in res]
        h = [res[c][r]["hd95"] for c in res if res[c][r]["hd95"] is not None]
        mean[r] = {"dice": float(np.mean(d)), "hd95": float(np.mean(h)) if h else None, "hd95_n": len(h)}
    return mean


def case_arguments(networks_required=True):
    """The options every scoring script takes: networks (first stage, refine stage), data, cases, output, mirroring,
    threads."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=networks_required,
                    help="a train.py checkpoint or an exported .onnx; several, comma-separated: their ensemble")
    ap.add_argument("--refine", default="", help="a train_refine.py checkpoint or an exported .onnx: score the two-stage cascade")
    ap.add_argument("--margin", type=int, default=12, help="the refine box's margin around the first stage's tumour, voxels")
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--data", default=BRATS_DATA)
    ap.add_argument("--cases", required=networks_required)
    ap.add_argument("--json", required=True)
    ap.add_argument("--tta", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    return ap


def case_cascades(a):
    """Each case of --cases as (case id, its Cascade, its expert labels, seconds taken), the first stage run once."""
    keep_freed_memory()
    torch.set_num_threads(a.threads)
    model = from_checkpoints(a.ckpt, a.base)
    refine_model = from_checkpoints(a.refine, a.base) if a.refine else None
    for cid in a.cases.split(","):
        t = time.time()
        vols, seg, _ = load_case(os.path.join(a.data, cid), cid)
        x, start, _ = prepare_case(vols)
        cascade = Cascade(vols, probs_to_labels(predict(model, x, a.tta), start, seg.shape), refine_model, a.margin, a.tta)
        yield cid, cascade, seg, time.time() - t


def parse_thresholds(text):
    """"WT,TC,ET" sigmoid thresholds (one number: the same for all three)."""
    values = [float(v) for v in text.split(",")]
    if len(values) not in (1, 3):
        raise argparse.ArgumentTypeError(f"{text!r}: give WT,TC,ET or one threshold for all three")
    return tuple(values * 3 if len(values) == 1 else values)


def main():
    ap = case_arguments()
    ap.add_argument("--post", choices=["none", "largest"], default="none",
                    help="largest: keep only the largest 26-connected component of the tumour (label > 0)")
    ap.add_argument("--min_component", type=int, default=0, help="as the manifest's postprocess.min_component_voxels")
    ap.add_argument("--min_enhancing", type=int, default=0, help="as the manifest's postprocess.min_enhancing_voxels")
    ap.add_argument("--refine_thresholds", type=parse_thresholds, default=(0.5, 0.5, 0.5),
                    help="the refine stage's sigmoid thresholds WT,TC,ET (as the manifest's refine.thresholds)")
    a = ap.parse_args()
    res = {}
    for cid, cascade, seg, seconds in case_cascades(a):
        t = time.time()
        lab = cascade.labels(a.refine_thresholds, largest=a.post == "largest", min_component=a.min_component,
                             min_enhancing=a.min_enhancing)
        res[cid] = score(lab, seg)
        print(cid, json.dumps(res[cid]), f"{seconds + time.time() - t:.1f}s", flush=True)
    mean = mean_scores(res)
    out = {"cases": res, "mean": mean, "tta": a.tta, "post": a.post,
           "min_component": a.min_component, "min_enhancing": a.min_enhancing, "ckpt": a.ckpt,
           **({"refine": a.refine, "margin": a.margin, "refine_thresholds": a.refine_thresholds} if a.refine else {})}
    print("mean", json.dumps(mean))
    json.dump(out, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
