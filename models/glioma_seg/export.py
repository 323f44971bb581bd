"""Export a checkpoint to ONNX (opset 17, fp32) and check that the graph only uses ops that ORT Web's
WebGPU backends run on 5-D tensors, with explicit Conv attributes and symmetric pads.

  /usr/bin/python3 models/glioma_seg/export.py --ckpt /tmp/gseg/run/ckpt.pt --onnx models/glioma_seg/glioma_seg_2mm_v2.onnx
"""
import argparse, collections, os, sys
import numpy as np
import onnx
from onnx import helper
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import UNet3D

ALLOWED = {"Conv", "InstanceNormalization", "LeakyRelu", "Resize", "Concat", "Constant"}


def check(path):
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    bad = set(ops) - ALLOWED
    assert not bad, f"ops outside the WebGPU-safe set: {bad}"
    for n in m.graph.node:
        at = {x.name: helper.get_attribute_value(x) for x in n.attribute}
        if n.op_type == "Conv":
            for k in ("kernel_shape", "strides", "dilations", "pads"):
                assert k in at, (n.name, k)
            assert len(at["kernel_shape"]) == 3 and list(at["dilations"]) == [1, 1, 1]
            p = list(at["pads"]); assert p[:3] == p[3:], (n.name, p)
            assert at.get("group", 1) == 1
        if n.op_type == "Resize":
            assert at["mode"] in (b"linear", "linear"), at
    return ops, m


def add_missing_conv_attrs(m):
    """Make every Conv carry kernel_shape/strides/dilations/pads explicitly (PyTorch already does)."""
    inits = {i.name: i for i in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type != "Conv":
            continue
        names = {a.name for a in n.attribute}
        k = list(inits[n.input[1]].dims[2:])
        if "kernel_shape" not in names:
            n.attribute.append(helper.make_attribute("kernel_shape", k))
        if "strides" not in names:
            n.attribute.append(helper.make_attribute("strides", [1] * len(k)))
        if "dilations" not in names:
            n.attribute.append(helper.make_attribute("dilations", [1] * len(k)))
        if "pads" not in names:
            n.attribute.append(helper.make_attribute("pads", [0] * 2 * len(k)))


def inline_identities(m):
    """Replace Identity-of-initializer nodes (PyTorch dedups equal weights) by copies of the initializer."""
    inits = {i.name: i for i in m.graph.initializer}
    keep = []
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto(); t.CopyFrom(inits[n.input[0]]); t.name = n.output[0]
            m.graph.initializer.append(t)
        else:
            keep.append(n)
    del m.graph.node[:]
    m.graph.node.extend(keep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--base", type=int, default=16)
    a = ap.parse_args()
    model = UNet3D(base=a.base)
    model.load_state_dict(torch.load(a.ckpt, map_location="cpu"))
    model.eval()
    x = torch.zeros(1, 4, 80, 96, 80)
    tmp = a.onnx + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {2: "D", 3: "H", 4: "W"}, "logits": {2: "D", 3: "H", 4: "W"}},
                      do_constant_folding=True)
    m = onnx.load(tmp)
    inline_identities(m)
    add_missing_conv_attrs(m)
    m.producer_name = "gliolens-models"
    m.doc_string = ("Gliolens glioma_seg: 3D U-Net, input [1,4,D,H,W] z-scored T1,T1c,T2,FLAIR at 2 mm "
                    "(D,H,W multiples of 8; trained on 80x96x80), output [1,3,D,H,W] logits WT,TC,ET. "
                    "Research/teaching only. See manifest.json and MODEL_CARD.md.")
    onnx.save(m, a.onnx)
    os.remove(tmp)
    ops, m = check(a.onnx)
    print("ops", dict(ops))
    print("size MB", os.path.getsize(a.onnx) / 1e6)
    for n in m.graph.node:
        if n.op_type == "Resize":
            print("Resize", {x.name: helper.get_attribute_value(x) for x in n.attribute})
            break


if __name__ == "__main__":
    main()
