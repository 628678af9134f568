"""The shared CNN trunk: CLIP's image tower trains it, the detector starts from it.

Four stages of two 3×3 conv-BN-ReLU layers each (the first strided), returning the features at
strides 4, 8 and 16. Plain convolutions because they are the fastest thing on a CPU.
"""

import torch
from torch import nn

from vlmkit.models.config import BackboneConfig


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Backbone(nn.Module):
    def __init__(self, config: BackboneConfig):
        super().__init__()
        c0, c1, c2, c3 = config.channels
        self.stem = nn.Sequential(conv_bn(3, c0, 2), conv_bn(c0, c0))
        self.s4 = nn.Sequential(conv_bn(c0, c1, 2), conv_bn(c1, c1))
        self.s8 = nn.Sequential(conv_bn(c1, c2, 2), conv_bn(c2, c2))
        self.s16 = nn.Sequential(conv_bn(c2, c3, 2), conv_bn(c3, c3))
        self.out_channels = (c1, c2, c3)

    def forward(self, images: torch.Tensor):
        """uint8 or float images (B, 3, H, W) in 0..255 -> features at strides 4, 8, 16."""
        x = (images.float() - 127.5) / 64.0
        f4 = self.s4(self.stem(x))
        f8 = self.s8(f4)
        return f4, f8, self.s16(f8)
