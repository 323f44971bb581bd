"""How far fp32 itself is from exact on the parity reference: the network rebuilt from an ONNX file run in
float64 (the "exact" logits) and in fp32 by PyTorch, on reference.py's synthetic input.

  /usr/bin/python3 -m experiments.fp32_error --onnx <model>.onnx --out /tmp/logits64.f64
  REF64=/tmp/logits64.f64 node check_ort.cjs <model>.onnx

Prints PyTorch fp32's largest logit error against float64 and writes the float64 logits (little-endian, the
reference's shape), against which check_ort.cjs then also measures each ONNX Runtime backend. A backend whose
error is a small multiple of PyTorch fp32's own is as exact as fp32 allows; one far above it is not.
"""
import argparse, json, os
import numpy as np
import torch
from training.model import torch_from_onnx
from training.reference import synthetic_input


def main():
    """Print fp32's error against float64 and write the float64 logits."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = torch_from_onnx(a.onnx, a.base)
    x = torch.from_numpy(synthetic_input())
    with torch.no_grad():
        y32 = model(x).double().numpy()
        y64 = model.double()(x.double()).numpy()
    y64.astype("<f8").tofile(a.out)
    err = np.abs(y32 - y64)
    print(json.dumps({"model": os.path.basename(a.onnx), "logits_min": float(y64.min()), "logits_max": float(y64.max()),
                      "pytorch_fp32_vs_fp64_max_abs": float(err.max()), "pytorch_fp32_vs_fp64_mean_abs": float(err.mean())}))


if __name__ == "__main__":
    main()
