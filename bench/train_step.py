"""Training-step time of the segmentation network on this CPU, side by side in one run: PyTorch's default (fp32,
N C D H W) against two ways oneDNN could run it faster - channels-last tensors (N D H W C, `torch.channels_last_3d`)
and bfloat16 autocast (AMX on CPUs that have it) - on the shapes the recipe trains on (models/glioma_seg/training/recipe.py),
plus evaluate.py's inference pass. Training takes ~4.7 h per cross-validation fold on 2 cores; this says whether
either would shorten it.

  PYTHONPATH=models/glioma_seg /usr/bin/python3 bench/train_step.py [--runs 3] [--threads 2]

Prints, per shape, the median seconds per step of each variant, its speed relative to the default, and how far its
outputs and gradients are from the default's after one identical step. Needs Debian's python3-torch, and the
segmentation's training package (models/glioma_seg/training) on PYTHONPATH.
"""
import argparse, os, statistics, sys, time
import torch

try:
    from training.loop import region_loss
    from training.model import UNet3D
except ModuleNotFoundError as missing:
    sys.exit(f"bench/train_step.py: {missing}: run it with PYTHONPATH=models/glioma_seg (the training package)")

ap = argparse.ArgumentParser()
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)

# (what, input shape, train?): train.py's patches and whole windows, train_refine.py's windows and a large box,
# evaluate.py's first-stage forward pass
SHAPES = [
    ("first stage patches (train.py, batch 2, 48^3)", (2, 4, 48, 48, 48), True),
    ("first stage whole window (train.py --full_frac, v5)", (1, 4, 80, 96, 80), True),
    ("refine random window (train_refine.py, batch 2, 80^3)", (2, 4, 80, 80, 80), True),
    ("refine box (train_refine.py --window box, batch 1)", (1, 4, 96, 152, 112), True),
    ("inference, first stage (evaluate.py, no grad)", (1, 4, 80, 96, 80), False),
]


VARIANTS = ("default", "channels-last", "bf16 autocast")


def network(variant):
    torch.manual_seed(0)
    model = UNet3D()
    return model.to(memory_format=torch.channels_last_3d) if variant == "channels-last" else model


def layout(x, variant):
    return x.contiguous(memory_format=torch.channels_last_3d) if variant == "channels-last" else x


def step(model, x, y, train, variant):
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=variant == "bf16 autocast"):
        if not train:
            with torch.no_grad():
                return model(x).float(), None
        model.zero_grad()
        out = model(x).float()
    loss, _ = region_loss(out, y)
    loss.backward()
    return out, [p.grad for p in model.parameters()]


def seconds(model, x, y, train, variant):
    step(model, x, y, train, variant)  # oneDNN picks and caches its kernels on the first call
    times = []
    for _ in range(a.runs):
        t = time.perf_counter()
        step(model, x, y, train, variant)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def largest_difference(first, second):
    return max(float((u - v).abs().max()) for u, v in zip(first, second))


print(f"bench: PyTorch {torch.__version__}, {a.threads} threads, {os.cpu_count()} CPUs, "
      f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}, median of {a.runs}")
for what, shape, train in SHAPES:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(shape, generator=gen)
    y = (torch.rand((shape[0], 3, *shape[2:]), generator=gen) > 0.8).float()
    models = {v: network(v) for v in VARIANTS}
    first = {v: step(models[v], layout(x, v), y, train, v) for v in VARIANTS}
    # two rounds, the variants in turn, so that a change of load on the machine falls on each; the faster round counts
    best = {v: float("inf") for v in VARIANTS}
    for _ in range(2):
        for v in VARIANTS:
            best[v] = min(best[v], seconds(models[v], layout(x, v), y, train, v))
    cells = []
    for v in VARIANTS[1:]:
        out, grads = first[v]
        agreement = f"outputs {largest_difference([first['default'][0]], [out]):.1e}"
        if train:
            agreement += f", gradients {largest_difference(first['default'][1], grads):.1e}"
        cells.append(f"{v} {best[v]:.3f} s = {best['default'] / best[v]:.2f}x ({agreement})")
    print(f"{what} {list(shape)}: default {best['default']:.3f} s; " + "; ".join(cells), flush=True)
