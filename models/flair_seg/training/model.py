"""A small 2-D U-Net for the FLAIR abnormality: one channel in (the scaled FLAIR slice), one logit out. Exported
with its batch norms folded into the convolutions, so the graph holds only Conv, LeakyRelu, Resize (linear, x2) and
Concat, which ONNX Runtime Web runs on WebGPU and WASM."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1, bias=False)
        self.norm = nn.BatchNorm2d(cout)
        self.act = nn.LeakyReLU(0.01)

    def forward(self, x):
        return self.act(self.norm(self.conv(x)))


class UNet2D(nn.Module):
    def __init__(self, base=8, levels=5):
        super().__init__()
        ch = [base * 2 ** i for i in range(levels)]
        self.enc = nn.ModuleList()
        for i, c in enumerate(ch):
            cin = 1 if i == 0 else ch[i - 1]
            self.enc.append(nn.Sequential(ConvBlock(cin, c, stride=1 if i == 0 else 2), ConvBlock(c, c)))
        self.dec = nn.ModuleList()
        for i in reversed(range(levels - 1)):
            self.dec.append(nn.Sequential(ConvBlock(ch[i + 1] + ch[i], ch[i]), ConvBlock(ch[i], ch[i])))
        self.head = nn.Conv2d(ch[0], 1, kernel_size=1)

    def forward(self, x):
        skips = []
        for i, e in enumerate(self.enc):
            x = e(x)
            if i < len(self.enc) - 1:
                skips.append(x)
        for d in self.dec:
            x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
            x = d(torch.cat([x, skips.pop()], dim=1))
        return self.head(x)
