"""What both training scripts (train.py, train_refine.py) do the same way: the loss and the wall-time-bounded loop."""
import glob, json, os, time
import numpy as np
import torch
import torch.nn.functional as F
from malloc_reuse import keep_freed_memory


def start_run(a):
    """Threads, seeds, malloc and the output folder of a run; returns its numpy Generator."""
    keep_freed_memory()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    return np.random.default_rng(a.seed)


def training_cases(cache, holdout):
    """The held-out case ids (comma-separated `holdout`) and [(case id, its cached arrays)] for every other cached
    case, in name order."""
    hold = sorted(s for s in holdout.split(",") if s)
    cases = []
    for f in sorted(glob.glob(os.path.join(cache, "*.npz"))):
        cid = os.path.basename(f)[:-4]
        if cid not in hold:
            cases.append((cid, np.load(f)))
    print("train cases", len(cases), [cid for cid, _ in cases], "holdout", hold, flush=True)
    return hold, cases


def is_lower_grade(case_id):
    """BraTS 2018 naming (../shared/data/README.md): TCIA10_* and TCIA13_* are lower-grade gliomas."""
    return "_TCIA10_" in case_id or "_TCIA13_" in case_id


def region_loss(logit, y):
    """BCE + soft Dice per region (the batch pooled), and the Dice for the log."""
    bce = F.binary_cross_entropy_with_logits(logit, y)
    p = torch.sigmoid(logit)
    dims = (0, 2, 3, 4)
    inter = (p * y).sum(dims)
    dice = (2 * inter + 1) / (p.sum(dims) + y.sum(dims) + 1)
    return bce + (1 - dice).mean(), dice.detach()


def add_budget_arguments(ap, minutes):
    """--minutes (wall time, the default budget) and --iterations (a fixed count instead: the result then does not
    depend on how busy the machine is)."""
    ap.add_argument("--minutes", type=float, default=minutes)
    ap.add_argument("--iterations", type=int, default=0, help="train exactly this many iterations (overrides --minutes)")


def train(model, a, next_batch, record):
    """Adam (weight decay 1e-5) for a.iterations iterations, or else a.minutes of wall time: linear warm-up over
    a.warmup iterations to a.lr, then a poly decay over the fraction of the budget spent. next_batch(fraction) ->
    (inputs, targets, log tag). Saves a.out/ckpt.pt every 5 minutes and at the end, and a.out/train_info.json with
    `record` added."""
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=1e-5)
    t0 = time.time()
    budget = a.minutes * 60
    it, last_save, hist = 0, t0, []
    while True:
        el = time.time() - t0
        frac = it / a.iterations if a.iterations else el / budget
        if frac >= 1:
            break
        lr = a.lr * min(1.0, (it + 1) / a.warmup) * (1 - frac) ** 0.9
        for group in opt.param_groups:
            group["lr"] = lr
        xb, yb, tag = next_batch(frac)
        model.train()
        loss, dice = region_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        it += 1
        hist.append(float(loss))
        if it % 10 == 0:
            print(f"it {it} t {el/60:.1f}m lr {lr:.2e}{tag} loss {np.mean(hist[-10:]):.4f} "
                  f"dice {dice.numpy().round(3).tolist()}", flush=True)
        if time.time() - last_save > 300:
            torch.save(model.state_dict(), os.path.join(a.out, "ckpt.pt"))
            last_save = time.time()
    torch.save(model.state_dict(), os.path.join(a.out, "ckpt.pt"))
    info = dict(iterations=it, minutes=(time.time() - t0) / 60, **record, args=vars(a),
                final_loss_mean10=float(np.mean(hist[-10:])))
    json.dump(info, open(os.path.join(a.out, "train_info.json"), "w"), indent=1)
    print("done", info, flush=True)
