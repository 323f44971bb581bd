"""Exports a trained checkpoint to ONNX: input `flair` [N, 1, H, W] (N slices; H and W any multiple of 16), output
`logits` [N, 1, H, W]; batch norms folded into the convolutions (eval mode, constant folding). Checks that the graph
holds only the operators ONNX Runtime Web runs on WebGPU and that ONNX Runtime agrees with PyTorch."""
import argparse, json
import numpy as np
import onnx
import torch
from .model import UNet2D

ALLOWED_OPS = {"Conv", "LeakyRelu", "Resize", "Concat", "Constant"}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--base", type=int, default=12)
    a = ap.parse_args()
    model = UNet2D(a.base)
    model.load_state_dict(torch.load(a.ckpt))
    model.eval()
    example = torch.randn(2, 1, 128, 128)
    torch.onnx.export(model, example, a.onnx, input_names=["flair"], output_names=["logits"], opset_version=17,
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL,
                      dynamic_axes={"flair": {0: "slices", 2: "height", 3: "width"}, "logits": {0: "slices", 2: "height", 3: "width"}})
    graph = onnx.load(a.onnx)
    ops = sorted({node.op_type for node in graph.graph.node})
    extra = set(ops) - ALLOWED_OPS
    if extra:
        raise SystemExit(f"{a.onnx}: operators outside the WebGPU-safe set: {sorted(extra)}")
    with torch.no_grad():
        reference = model(example).numpy()
    try:
        import onnxruntime
        got = onnxruntime.InferenceSession(a.onnx).run(None, {"flair": example.numpy()})[0]
        print("max |onnxruntime - torch|", float(np.abs(got - reference).max()))
    except ImportError:
        print("onnxruntime (Python) not installed: check with node models/glioma_seg/check_ort.cjs")
    print(json.dumps({"ops": ops, "parameters": int(sum(p.numel() for p in model.parameters()))}))


if __name__ == "__main__":
    main()
