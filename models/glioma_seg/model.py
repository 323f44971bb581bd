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


def from_checkpoints(paths, base=16):
    """One train.py checkpoint -> a UNet3D; several (comma-separated) -> their Ensemble."""
    members = []
    for path in paths.split(","):
        member = UNet3D(base=base)
        member.load_state_dict(torch.load(path, map_location="cpu"))
        members.append(member)
    model = members[0] if len(members) == 1 else Ensemble(members)
    return model.eval()
