"""Export a checkpoint to ONNX (opset 17, fp32) and check that the graph only uses ops that ORT Web's
WebGPU backends run on 5-D tensors, with explicit Conv attributes and symmetric pads.

  /usr/bin/python3 -m training.export --ckpt /tmp/gseg/run/ckpt.pt --onnx <name>.onnx
  /usr/bin/python3 -m training.export --ckpt a/ckpt.pt,b/ckpt.pt --onnx <name>.onnx   (ensemble: mean logits)
  /usr/bin/python3 -m training.export --weights_from <earlier>.onnx --onnx <name>.onnx   (same weights)
  /usr/bin/python3 -m training.export --weights_from <ensemble>.onnx --average --onnx <name>.onnx
      (one network, its weights the mean of the ensemble members': model.weight_average)

Instance norms are written as staged means (see stage_instance_norm) so that ONNX Runtime's fp32 sums match
PyTorch's.
"""
import argparse, collections, os
import numpy as np
import onnx
from onnx import helper, numpy_helper
import torch
from .model import Ensemble, from_checkpoints, weight_average

# InstanceNormalization is written out as staged means (stage_instance_norm), so it is not in the set.
# An ensemble adds only Add and Mul (model.Ensemble).
ALLOWED = {"Conv", "LeakyRelu", "Resize", "Concat", "Constant", "ReduceMean", "Sub", "Mul", "Add", "Sqrt", "Div"}


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


def stage_instance_norm(m):
    """Write each InstanceNormalization as explicit means, each taken over one spatial axis at a time.

    ONNX Runtime (WASM above all) sums a whole channel in one fp32 accumulator: on an 80x96x80 window its
    instance norm drifted by up to 0.19 in a logit from PyTorch (16 sign flips in one case). A mean over W,
    then H, then D (equal-sized groups, so the same mean) adds at most 96 values at a time and gives
    PyTorch's fp32 result (3e-5). y = (x - mean) / sqrt(mean((x - mean)^2) + eps) * scale + bias; scale and
    bias keep their names, reshaped to [1, C, 1, 1, 1] for broadcasting."""
    inits = {i.name: i for i in m.graph.initializer}
    nodes = []

    def staged_mean(src, dst, p):
        return [helper.make_node("ReduceMean", [src], [f"{p}_w"], axes=[4], keepdims=1, name=f"{p}_w"),
                helper.make_node("ReduceMean", [f"{p}_w"], [f"{p}_hw"], axes=[3], keepdims=1, name=f"{p}_hw"),
                helper.make_node("ReduceMean", [f"{p}_hw"], [dst], axes=[2], keepdims=1, name=f"{p}_dhw")]

    for n in m.graph.node:
        if n.op_type != "InstanceNormalization":
            nodes.append(n)
            continue
        x, scale, bias = n.input
        eps = next((a.f for a in n.attribute if a.name == "epsilon"), 1e-5)
        for name in (scale, bias):
            arr = numpy_helper.to_array(inits[name]).reshape(1, -1, 1, 1, 1).astype(np.float32)
            inits[name].CopyFrom(numpy_helper.from_array(arr, name))
        p = n.name
        m.graph.initializer.append(numpy_helper.from_array(np.array(eps, dtype=np.float32), f"{p}/epsilon"))
        nodes += staged_mean(x, f"{p}/mean", f"{p}/mean")
        nodes += [helper.make_node("Sub", [x, f"{p}/mean"], [f"{p}/centred"], name=f"{p}/centred"),
                  helper.make_node("Mul", [f"{p}/centred", f"{p}/centred"], [f"{p}/squared"], name=f"{p}/squared")]
        nodes += staged_mean(f"{p}/squared", f"{p}/variance", f"{p}/variance")
        nodes += [helper.make_node("Add", [f"{p}/variance", f"{p}/epsilon"], [f"{p}/variance_eps"], name=f"{p}/variance_eps"),
                  helper.make_node("Sqrt", [f"{p}/variance_eps"], [f"{p}/sd"], name=f"{p}/sd"),
                  helper.make_node("Div", [f"{p}/centred", f"{p}/sd"], [f"{p}/normalised"], name=f"{p}/normalised"),
                  helper.make_node("Mul", [f"{p}/normalised", scale], [f"{p}/scaled"], name=f"{p}/scaled"),
                  helper.make_node("Add", [f"{p}/scaled", bias], [n.output[0]], name=f"{p}/shifted")]
    del m.graph.node[:]
    m.graph.node.extend(nodes)


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
    weights = ap.add_mutually_exclusive_group(required=True)
    weights.add_argument("--ckpt", help="a checkpoint or an exported .onnx, or several, comma-separated (their ensemble)")
    weights.add_argument("--weights_from", help="an earlier export (the same as --ckpt with it): re-export its weights with this export's graph")
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--base", type=int, default=16)
    ap.add_argument("--spacing_mm", type=float, default=2.0, help="the voxel size the network works at (refine stage: 1)")
    ap.add_argument("--average", action="store_true",
                    help="several networks (checkpoints, or an ensemble's export): export ONE whose weights are their mean")
    a = ap.parse_args()
    model = from_checkpoints(a.ckpt or a.weights_from, a.base)
    if a.average:
        if not isinstance(model, Ensemble):
            raise SystemExit("--average needs several networks")
        model = weight_average(model, a.base)
    members = len(model.members) if isinstance(model, Ensemble) else 1
    x = torch.zeros(1, 4, 80, 96, 80)
    tmp = a.onnx + ".tmp"
    torch.onnx.export(model, x, tmp, opset_version=17, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {2: "D", 3: "H", 4: "W"}, "logits": {2: "D", 3: "H", 4: "W"}},
                      do_constant_folding=True)
    m = onnx.load(tmp)
    inline_identities(m)
    add_missing_conv_attrs(m)
    stage_instance_norm(m)
    m.producer_name = "gliolens-models"
    network = (f"mean logits of {members} 3D U-Nets" if members > 1
               else "3D U-Net, its weights the mean of several networks'" if a.average else "3D U-Net")
    m.doc_string = (f"Gliolens glioma_seg: {network}, input [1,4,D,H,W] z-scored T1,T1c,T2,FLAIR at {a.spacing_mm:g} mm "
                    "(D,H,W multiples of 8), output [1,3,D,H,W] logits WT,TC,ET. "
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
