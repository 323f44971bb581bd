"""Small 3D U-Net for Gliolens, and an ensemble of several. Only ops that ORT Web's WebGPU backends run on
5-D tensors: Conv (explicit kernel 3 or 1, symmetric pads, stride 1 or 2, dilation 1), InstanceNormalization,
LeakyRelu, Resize (linear, x2), Concat; the ensemble adds Add and Mul."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, kernel_size=3, stride=stride, padding=1, dilation=1, bias=True)
        self.norm = nn.InstanceNorm3d(cout, affine=True, eps=1e-5)
        self.act = nn.LeakyReLU(0.01)

    def forward(self, x):
        return self.act(self.norm(self.conv(x)))


class UNet3D(nn.Module):
    def __init__(self, in_ch=4, out_ch=3, base=16, levels=4):
        super().__init__()
        ch = [base * 2 ** i for i in range(levels)]
        self.ch = ch
        self.enc = nn.ModuleList()
        for i, c in enumerate(ch):
            cin = in_ch if i == 0 else ch[i - 1]
            self.enc.append(nn.Sequential(ConvBlock(cin, c, stride=1 if i == 0 else 2), ConvBlock(c, c)))
        self.dec = nn.ModuleList()
        for i in reversed(range(levels - 1)):
            self.dec.append(nn.Sequential(ConvBlock(ch[i + 1] + ch[i], ch[i]), ConvBlock(ch[i], ch[i])))
        self.head = nn.Conv3d(ch[0], out_ch, kernel_size=1, stride=1, padding=0, dilation=1)

    def forward(self, x):
        skips = []
        for i, e in enumerate(self.enc):
            x = e(x)
            if i < len(self.enc) - 1:
                skips.append(x)
        for d in self.dec:
            s = skips.pop()
            x = F.interpolate(x, scale_factor=2.0, mode="trilinear", align_corners=False)
            x = d(torch.cat([x, s], dim=1))
        return self.head(x)


class Ensemble(nn.Module):
    """Several U-Nets on the same input, their logits averaged. Written as a running sum times 1/n (Add, Mul)
    rather than a stack and mean, so that the export keeps to the WebGPU-safe op set."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x):
        total = self.members[0](x)
        for member in self.members[1:]:
            total = total + member(x)
        return total * (1.0 / len(self.members))


def weight_average(ensemble, base=16):
    """One U-Net whose every weight is the mean of the ensemble members' (a uniform "model soup"): one network's
    cost. Meaningful only for members fine-tuned from one checkpoint, which stay close enough in weight space."""
    states = [member.state_dict() for member in ensemble.members]
    model = UNet3D(base=base)
    model.load_state_dict({k: sum(s[k] for s in states) / len(states) for k in states[0]})
    return model.eval()


def torch_from_onnx(path, base=16):
    """The PyTorch network (a UNet3D, or an Ensemble when the initializers are named members.<n>.*) with the
    ONNX file's weights (export.py keeps the PyTorch parameter names)."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    w = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in m.graph.initializer}
    n_members = len({k.split(".")[1] for k in w if k.startswith("members.")})
    model = Ensemble([UNet3D(base=base) for _ in range(n_members)]) if n_members else UNet3D(base=base)
    sd = model.state_dict()
    missing = [k for k in sd if k not in w]
    assert not missing, missing
    # reshape: exports write the instance norms' scale and bias as [1, C, 1, 1, 1] (export.stage_instance_norm)
    model.load_state_dict({k: w[k].reshape(sd[k].shape) for k in sd})
    return model.eval()


def load_network(path, base=16):
    """A train.py / train_refine.py checkpoint (a state_dict), or an exported .onnx file (the only weights that
    outlive a session's /tmp): a UNet3D, or an Ensemble when the ONNX file holds one."""
    if path.endswith(".onnx"):
        return torch_from_onnx(path, base)
    model = UNet3D(base=base)
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model.eval()


def single_network(path, base=16):
    """load_network for a warm start, which needs exactly one network."""
    model = load_network(path, base)
    if isinstance(model, Ensemble):
        raise SystemExit(f"{path} holds an ensemble of {len(model.members)} networks: start from one network")
    return model


def from_checkpoints(paths, base=16):
    """Checkpoints or ONNX exports, comma-separated -> one UNet3D, or the Ensemble of every network in them."""
    members = []
    for path in paths.split(","):
        network = load_network(path, base)
        members.extend(network.members if isinstance(network, Ensemble) else [network])
    model = members[0] if len(members) == 1 else Ensemble(members)
    return model.eval()
