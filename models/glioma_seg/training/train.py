"""Train the Gliolens glioma_seg network (regions WT/TC/ET, sigmoid outputs) on a 2 mm whole-brain window.

One command (after `cache.py` has filled the cache):
  nice -n 15 /usr/bin/python3 -m training.train --out /tmp/gseg/run --minutes 70 \
      --holdout Brats18_TCIA10_637_1,Brats18_2013_3_1,Brats18_CBICA_AME_1,Brats18_TCIA02_370_1
v2 (warm start from v1's weights):
  nice -n 10 /usr/bin/python3 -m training.train --out /tmp/h1seg/run_v2 --minutes 87 --init v1_ckpt.pt \
      --holdout Brats18_TCIA10_637_1,Brats18_2013_3_1,Brats18_CBICA_AME_1 --patch 48 --batch 2 --lr 2e-3 \
      --warmup 30 --fg_frac 0.5 --full_frac 0.2 --threads 1 --seed 2
v4 (warm start from v2's weights with heavy augmentation):
  nice -n 10 /usr/bin/python3 -m training.train --out /tmp/h4seg/run_v4 --minutes 92 --init v2_ckpt.pt \
      --holdout Brats18_TCIA10_637_1,Brats18_2013_3_1,Brats18_CBICA_AME_1 --aug heavy --patch 48 --batch 2 \
      --lr 1.5e-3 --warmup 30 --fg_frac 0.6 --full_frac 0.15 --threads 2 --seed 4
v5 (the shipped file: v4's weights fine-tuned on random sub-windows only):
  nice -n 10 /usr/bin/python3 -m training.train --out /tmp/h5seg/run_rw --minutes 30 --init v4_ckpt.pt \
      --holdout Brats18_TCIA10_637_1,Brats18_2013_3_1,Brats18_CBICA_AME_1 --aug heavy --random_windows --patch 48 \
      --batch 2 --lr 5e-4 --warmup 20 --fg_frac 0.6 --full_frac 1.0 --threads 2 --seed 7
Training is bounded by wall time (--minutes): the learning rate follows a poly schedule over elapsed
time, random 2 mm patches are used for the first (1 - full_frac) of the time and whole 80x96x80 windows
for the rest (so that instance-norm statistics match whole-window inference).
"""
import argparse
import numpy as np
import torch
from .augment import heavy_intensity, random_flips, resample_sample, rot_matrix
from .loop import add_budget_arguments, start_run, train, training_cases
from .model import UNet3D, single_network


def main():
    """Parse the arguments, then train the whole-brain network (module docstring)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/gseg_cache")
    ap.add_argument("--out", required=True)
    ap.add_argument("--holdout", default="")
    add_budget_arguments(ap, 70)
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--patch", type=int, default=48)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--full_frac", type=float, default=0.15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default="", help="continue from this network (warm start): a checkpoint or an exported .onnx")
    ap.add_argument("--fg_frac", type=float, default=0.7, help="fraction of patches centred near tumour")
    ap.add_argument("--warmup", type=int, default=20, help="linear lr warm-up, iterations")
    ap.add_argument("--aug", choices=["light", "heavy"], default="light",
                    help="light: v1-v3's (rotation 10 deg, scale 0.9-1.1, intensity scale/shift 0.1, flips); heavy: "
                         "nnU-Net-style ranges for small data (rotation 20 deg, scale 0.8-1.25, gamma, contrast, noise, "
                         "low resolution)")
    ap.add_argument("--random_windows", action="store_true",
                    help="whole-window phase on random sub-windows (each axis a multiple of 8 from 48 to the full size, placed "
                         "anywhere inside the window), so that the instance norms also see the statistics of sliding windows")
    a = ap.parse_args()

    rng = start_run(a)
    hold, cases = training_cases(a.cache, a.holdout)
    train_ids = [cid for cid, _ in cases]
    data = [(torch.from_numpy(z["x"]), torch.from_numpy(z["y"])) for _, z in cases]

    def sample(x, y, size, full):
        """One augmented sample of spatial size `size` (D,H,W) from x (4,D0,H0,W0), y (3,D0,H0,W0)."""
        dims = np.array(x.shape[1:], dtype=np.float64)
        size = np.array(size)
        if full and a.random_windows:
            c = np.array([rng.uniform(n / 2, d - n / 2) for n, d in zip(size, dims)]) - 0.5
        elif full:
            c = (dims - 1) / 2 + rng.uniform(-4, 4, 3)
        elif rng.random() < a.fg_frac:
            fg = torch.nonzero(y[0] > 0.5)
            c = fg[rng.integers(len(fg))].numpy().astype(np.float64) + rng.uniform(-size / 4, size / 4)
        else:
            c = rng.uniform(size / 2 - 8, dims - size / 2 + 8)
        A = np.eye(3)
        if a.aug == "heavy":
            if rng.random() < 0.7:
                A = rot_matrix(rng, 20) * rng.uniform(0.8, 1.25)
        elif rng.random() < 0.5:
            A = rot_matrix(rng, 10) * rng.uniform(0.9, 1.1)
        xs, ys = resample_sample(x, y, c, size, A)
        xs, ys = random_flips(rng, xs, ys)
        brain = (xs != 0).any(0, keepdim=True)
        if a.aug == "heavy":
            xs = torch.where(brain, heavy_intensity(rng, xs, brain[0]), xs)
            return xs, ys
        sc = torch.from_numpy(rng.uniform(0.9, 1.1, (4, 1, 1, 1))).float()
        sh = torch.from_numpy(rng.uniform(-0.1, 0.1, (4, 1, 1, 1))).float()
        xs = torch.where(brain, xs * sc + sh, xs)
        return xs, ys

    def window_size(full_size):
        if not a.random_windows:
            return tuple(full_size)
        return tuple(int(rng.choice(np.arange(48, n + 1, 8))) for n in full_size)

    def next_batch(frac):
        full = frac > 1 - a.full_frac
        xs, ys = [], []
        for _ in range(1 if full else a.batch):
            x, y = data[rng.integers(len(data))]
            xx, yy = sample(x, y, window_size(x.shape[1:]) if full else (a.patch,) * 3, full)
            xs.append(xx); ys.append(yy)
        return torch.stack(xs), torch.stack(ys), f" full {int(full)}"

    model = UNet3D(base=a.base)
    if a.init:
        model.load_state_dict(single_network(a.init, a.base).state_dict())
    train(model, a, next_batch, dict(train_cases=train_ids, holdout=hold), rng)


if __name__ == "__main__":
    main()
