"""Trains the FLAIR network on the cached slices of every case outside one fold (--fold F; --fold -1: all cases),
for a fixed number of iterations (so the result does not depend on how busy the machine is) and resumably: a rerun
with the same arguments continues from OUT/resume.pt as if never stopped.

A batch: patients drawn uniformly (so lgg_flair's short stacks and BraTS's 155 slices weigh the same per patient),
then a slice of each - one with lesion with probability --lesion_fraction, else any slice with signal. Augmented
on the fly: the eight flips/transposes (the two cohorts' in-plane orientations differ), scale 0.8-1.25 and rotation
+-20 degrees, intensity x 0.75-1.33 and gamma 0.7-1.5, then one random --crop square of the window per batch. Loss: BCE + soft Dice."""
import argparse, glob, json, math, os, time
import numpy as np
import torch
import torch.nn.functional as F
from .cases import fold_of
from .cache import CACHE
from .model import UNet2D


def load_cases(cache, fold):
    folds = fold_of()
    cases = []
    for f in sorted(glob.glob(os.path.join(cache, "*.npz"))):
        cid = os.path.basename(f)[:-4]
        if fold >= 0 and folds[cid] == fold:
            continue
        d = np.load(f)
        x = d["x"].astype(np.float32)
        y = d["y"].astype(np.float32) / 255
        lesion = np.flatnonzero(d["lesion"])
        cases.append((cid, x, y, lesion))
    return cases


def batch(cases, rng, size, lesion_fraction):
    xs, ys = [], []
    for n in rng.integers(0, len(cases), size):
        _, x, y, lesion = cases[n]
        k = rng.choice(lesion) if lesion.size and rng.random() < lesion_fraction else rng.integers(0, x.shape[0])
        xs.append(x[k])
        ys.append(y[k])
    return torch.from_numpy(np.stack(xs)[:, None]), torch.from_numpy(np.stack(ys)[:, None])


def augment(x, y, rng):
    n = x.shape[0]
    out_x, out_y = [], []
    for b in range(n):
        xb, yb = x[b], y[b]
        if rng.random() < 0.5: xb, yb = xb.flip(-1), yb.flip(-1)
        if rng.random() < 0.5: xb, yb = xb.flip(-2), yb.flip(-2)
        if rng.random() < 0.5: xb, yb = xb.transpose(-1, -2), yb.transpose(-1, -2)
        out_x.append(xb)
        out_y.append(yb)
    x, y = torch.stack(out_x), torch.stack(out_y)
    scale = torch.from_numpy(np.exp(rng.uniform(math.log(0.8), math.log(1.25), n))).float()
    angle = torch.from_numpy(rng.uniform(-math.pi / 9, math.pi / 9, n)).float()
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = torch.cos(angle) / scale
    theta[:, 0, 1] = -torch.sin(angle) / scale
    theta[:, 1, 0] = torch.sin(angle) / scale
    theta[:, 1, 1] = torch.cos(angle) / scale
    theta[:, :, 2] = torch.from_numpy(rng.uniform(-0.1, 0.1, (n, 2))).float()
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    y = F.grid_sample(y, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    gain = torch.from_numpy(np.exp(rng.uniform(math.log(0.75), math.log(1.33), n))).float().view(n, 1, 1, 1)
    gamma = torch.from_numpy(np.exp(rng.uniform(math.log(0.7), math.log(1.5), n))).float().view(n, 1, 1, 1)
    x = x.clamp(min=0).pow(gamma) * gain
    return x, y


def random_crop(x, y, rng, size):
    """The same random size x size crop of every slice of the batch (the network is fully convolutional; a smaller
    field costs less per iteration)."""
    if size >= x.shape[-1]:
        return x, y
    i, j = rng.integers(0, x.shape[-1] - size + 1, 2)
    return x[..., j:j + size, i:i + size].contiguous(), y[..., j:j + size, i:i + size].contiguous()


def loss_fn(logit, y):
    bce = F.binary_cross_entropy_with_logits(logit, y)
    p = torch.sigmoid(logit)
    inter = (p * y).sum()
    dice = (2 * inter + 1) / (p.sum() + y.sum() + 1)
    return bce + 1 - dice, float(dice)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fold", type=int, required=True, help="the fold held out (0-4), or -1 to train on every case")
    ap.add_argument("--cache", default=CACHE)
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--base", type=int, default=12)
    ap.add_argument("--crop", type=int, default=96, help="train on crops of this size of the window")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--lesion_fraction", type=float, default=0.6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.out, exist_ok=True)
    cases = load_cases(a.cache, a.fold)
    print("fold", a.fold, "training cases", len(cases), flush=True)
    model = UNet2D(a.base)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=1e-5)
    resume_path = os.path.join(a.out, "resume.pt")
    it, minutes, hist = 0, 0.0, []
    if os.path.exists(resume_path):
        state = torch.load(resume_path)
        if state["args"] == vars(a):
            model.load_state_dict(state["model"]); opt.load_state_dict(state["opt"])
            rng.bit_generator.state = state["rng"]; torch.set_rng_state(state["torch_rng"])
            it, minutes, hist = state["it"], state["minutes"], state["hist"]
            print("resumed at", it, flush=True)
    t0, last_save = time.time(), time.time()

    def save():
        state = dict(args=vars(a), model=model.state_dict(), opt=opt.state_dict(), rng=rng.bit_generator.state,
                     torch_rng=torch.get_rng_state(), it=it, minutes=minutes + (time.time() - t0) / 60, hist=hist)
        torch.save(state, resume_path + ".part")
        os.replace(resume_path + ".part", resume_path)

    model.train()
    while it < a.iterations:
        frac = it / a.iterations
        lr = a.lr * min(1.0, (it + 1) / 50) * (1 - frac) ** 0.9
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = random_crop(*augment(*batch(cases, rng, a.batch, a.lesion_fraction), rng), rng, a.crop)
        loss, dice = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        it += 1
        hist.append(float(loss))
        if it % 25 == 0:
            print(f"it {it} {minutes + (time.time() - t0) / 60:.1f}m lr {lr:.1e} loss {np.mean(hist[-25:]):.4f} dice {dice:.3f}", flush=True)
        if time.time() - last_save > 120:
            save()
            last_save = time.time()
    model.eval()
    torch.save(model.state_dict(), os.path.join(a.out, "ckpt.pt"))
    info = dict(fold=a.fold, iterations=it, minutes=minutes + (time.time() - t0) / 60, args=vars(a),
                final_loss=float(np.mean(hist[-50:])), train_cases=[c[0] for c in cases])
    json.dump(info, open(os.path.join(a.out, "train_info.json"), "w"), indent=1)
    if os.path.exists(resume_path):
        os.remove(resume_path)
    print("done", info["minutes"], "min", flush=True)


if __name__ == "__main__":
    main()
