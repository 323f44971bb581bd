"""What both training scripts (train.py, train_refine.py) do the same way: the loss and the training loop (bounded by
wall time or by iterations; an iteration-bound run resumes where it was stopped)."""
import glob, json, os, time
import numpy as np
import torch
import torch.nn.functional as F
from .malloc_reuse import keep_freed_memory


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


RESUME_FILE = "resume.pt"


def add_budget_arguments(ap, minutes):
    """--minutes (wall time, the default budget) and --iterations (a fixed count instead: the result then does not
    depend on how busy the machine is, and a stopped run resumes), --save_minutes."""
    ap.add_argument("--minutes", type=float, default=minutes)
    ap.add_argument("--iterations", type=int, default=0, help="train exactly this many iterations (overrides --minutes)")
    ap.add_argument("--save_minutes", type=float, default=5.0, help="save the checkpoint (and the resume state) this often")


def resume(path, a, model, opt, rng):
    """The saved state of an iteration-bound run with these same arguments, loaded into model, opt and the random
    streams: (iterations done, loss history, minutes spent, iterations at which it was resumed); None if there is none."""
    if not a.iterations or not os.path.isfile(path):
        return None
    state = torch.load(path)
    if state["args"] != vars(a):
        print(f"{path} was saved by a run with other arguments: starting over", flush=True)
        return None
    model.load_state_dict(state["model"])
    opt.load_state_dict(state["optimizer"])
    rng.bit_generator.state = state["numpy_rng"]
    torch.set_rng_state(state["torch_rng"])
    print(f"resumed at iteration {state['iteration']} of {a.iterations} from {path}", flush=True)
    return state["iteration"], state["hist"], state["minutes"], state["resumed_at"] + [state["iteration"]]


def train(model, a, next_batch, record, rng):
    """Adam (weight decay 1e-5) for a.iterations iterations, or else a.minutes of wall time: linear warm-up over
    a.warmup iterations to a.lr, then a poly decay over the fraction of the budget spent. next_batch(fraction) ->
    (inputs, targets, log tag), drawing from `rng`. Saves a.out/ckpt.pt every a.save_minutes and at the end, and
    a.out/train_info.json with `record` added. With a.iterations it also saves a.out/resume.pt (weights, Adam's moments,
    the iteration, both random streams), and a rerun with the same arguments continues from it as if never stopped."""
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=1e-5)
    resume_path = os.path.join(a.out, RESUME_FILE)
    it, hist, minutes_before, resumed_at = resume(resume_path, a, model, opt, rng) or (0, [], 0.0, [])
    t0 = time.time()
    budget = a.minutes * 60
    last_save = t0

    def save():
        torch.save(model.state_dict(), os.path.join(a.out, "ckpt.pt"))
        if a.iterations:
            state = dict(args=vars(a), iteration=it, model=model.state_dict(), optimizer=opt.state_dict(), hist=hist,
                         minutes=minutes_before + (time.time() - t0) / 60, resumed_at=resumed_at,
                         numpy_rng=rng.bit_generator.state, torch_rng=torch.get_rng_state())
            torch.save(state, resume_path + ".part")
            os.replace(resume_path + ".part", resume_path)  # a run killed while saving keeps the previous state

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
            print(f"it {it} t {minutes_before + el / 60:.1f}m lr {lr:.2e}{tag} loss {np.mean(hist[-10:]):.4f} "
                  f"dice {dice.numpy().round(3).tolist()}", flush=True)
        if time.time() - last_save > a.save_minutes * 60:
            save()
            last_save = time.time()
    torch.save(model.state_dict(), os.path.join(a.out, "ckpt.pt"))
    info = dict(iterations=it, minutes=minutes_before + (time.time() - t0) / 60, **record, args=vars(a),
                final_loss_mean10=float(np.mean(hist[-10:])), **({"resumed_at": resumed_at} if resumed_at else {}))
    json.dump(info, open(os.path.join(a.out, "train_info.json"), "w"), indent=1)
    if os.path.exists(resume_path):
        os.remove(resume_path)
    print("done", info, flush=True)
