"""Train the refine stage of the cascade: the same U-Net at 1 mm on windows around the tumour, warm-started from a
whole-brain checkpoint (its weights already know the four contrasts, at half the scale).

One command (after `cache.py --refine` has filled the 1 mm cache):
  nice -n 10 /usr/bin/python3 -m training.train_refine --out /tmp/h8seg/run_r1 --init v5_ckpt.pt \
      --holdout Brats18_TCIA10_637_1,Brats18_2013_3_1,Brats18_CBICA_AME_1 --minutes 75 --seed 11
With --window random (the shipped seeds) each sample is a window whose every axis is a multiple of 8 from --smin to
--smax voxels, centred anywhere in the expert whole tumour's bounding box grown by --margin voxels. With --window box
each sample is the box the cascade itself would hand the network: that bounding box grown by --margin, each face moved
by up to --jitter voxels (the first stage's error), clipped to the volume and grown to a multiple of 8 as the core's
refine_box does; the network normalises over the whole window, so its context should look like inference's (v9:
`--init glioma_refine_1mm_v7.onnx --window box --batch 1 --iterations 600 --lr 3e-4 --seed 17 --lgg_weight 3`, v8 the
same without --lgg_weight, v10 the weight average of v9's command with seeds 17, 18 and 19). Boxes differ in shape, so --window box takes --batch 1. --lgg_weight W draws the
lower-grade cases W times as often as the high-grade ones. Both use the heavy augmentation of train.py and hard 1 mm
targets. The learning rate follows a poly schedule over wall time, or over --iterations when given (the shipped runs:
see HISTORY.md).
"""
import argparse, sys
import numpy as np
import torch
from .augment import heavy_intensity, random_flips, resample_sample, rot_matrix
from .loop import add_budget_arguments, is_lower_grade, start_run, train, training_cases
from .model import UNet3D, single_network
from .preprocess import box_to_multiple


def main():
    """Parse the arguments, then train the refine network (module docstring)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/gseg_cache1mm")
    ap.add_argument("--out", required=True)
    ap.add_argument("--init", required=True, help="a whole-brain network to start from: a train.py checkpoint or an exported .onnx")
    ap.add_argument("--holdout", default="")
    add_budget_arguments(ap, 75)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--smin", type=int, default=48)
    ap.add_argument("--smax", type=int, default=112)
    ap.add_argument("--margin", type=int, default=12)
    ap.add_argument("--window", choices=("random", "box"), default="random")
    ap.add_argument("--jitter", type=int, default=8, help="--window box: each face of the box moves by up to this many voxels")
    ap.add_argument("--lgg_weight", type=float, default=1.0,
                    help="draw a lower-grade glioma case (BraTS names TCIA10_*, TCIA13_*) this many times as often as a high-grade one")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()

    if a.window == "box" and a.batch != 1:
        sys.exit("train_refine.py: --window box needs --batch 1 (each box has its own shape)")
    rng = start_run(a)
    hold, cases = training_cases(a.cache, a.holdout)
    train_ids = [cid for cid, _ in cases]
    data = []
    for _, z in cases:
        tumour = np.nonzero(z["y"][0])
        lo = np.array([v.min() for v in tumour]) - a.margin
        hi = np.array([v.max() for v in tumour]) + a.margin
        data.append((torch.from_numpy(z["x"]), torch.from_numpy(z["y"].astype(np.float32)), lo, hi))
    case_weights = np.array([a.lgg_weight if is_lower_grade(cid) else 1.0 for cid in train_ids])

    def inference_box(x, lo, hi):
        """(centre, size) of a box like the cascade's: the grown tumour box [lo, hi] with each face jittered, then the
        core's clipping and growth to a multiple of 8 (preprocess.box_to_multiple, as evaluate.refine_box)."""
        first = lo + rng.integers(-a.jitter, a.jitter + 1, 3)
        end = hi + 1 + rng.integers(-a.jitter, a.jitter + 1, 3)
        first, size = box_to_multiple(first, end, x.shape[1:])
        return first + (size - 1) / 2, tuple(int(n) for n in size)

    def sample(x, y, lo, hi, size):
        """One augmented window of `size` (D,H,W) centred anywhere in the grown tumour box [lo, hi] (voxels, d h w), or,
        with size None, the jittered inference-shaped box."""
        if size is None:
            centre, size = inference_box(x, lo, hi)
        else:
            centre = rng.uniform(lo, hi + 1) - 0.5
        A = rot_matrix(rng, 20) * rng.uniform(0.8, 1.25) if rng.random() < 0.7 else np.eye(3)
        xs, ys = resample_sample(x, y, centre, size, A)
        xs, ys = random_flips(rng, xs, (ys > 0.5).float())
        brain = (xs != 0).any(0, keepdim=True)
        return torch.where(brain, heavy_intensity(rng, xs, brain[0]), xs), ys

    sizes = np.arange(a.smin, a.smax + 1, 8)

    def draw_case():
        """Uniform over the training cases, or LGG-weighted with --lgg_weight (weight 1 keeps the uniform draw's random
        stream, so older runs reproduce)."""
        if a.lgg_weight == 1.0:
            return data[rng.integers(len(data))]
        return data[rng.choice(len(data), p=case_weights / case_weights.sum())]

    def next_batch(frac):
        size = None if a.window == "box" else tuple(int(rng.choice(sizes)) for _ in range(3))
        xs, ys = zip(*[sample(*draw_case(), size) for _ in range(a.batch)])
        return torch.stack(xs), torch.stack(ys), ""

    model = UNet3D()
    model.load_state_dict(single_network(a.init).state_dict())
    train(model, a, next_batch, dict(train_cases=train_ids, holdout=hold), rng)


if __name__ == "__main__":
    main()
