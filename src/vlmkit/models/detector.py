"""A tiny CenterNet-style detector with a closed vocabulary (the world's categories).

    det = TinyDetector(DetectorConfig())
    out = det(images_uint8)                       # dict of head outputs at stride 4
    loss = det.loss(out, det.targets(objects_per_image))
    dets = det.decode(out)                        # per image: [{'name', 'box', 'score', 'color'}]

Every object is a peak on its category's heatmap; at the peak the detector also reads the box
size (log w, h), the sub-cell offset of the centre and the object's colour. A scene head on the
pooled trunk and `vqa_tokens` (one token per candidate object) feed the VQA model. Grounding a name is
reading that category's peaks: a closed vocabulary, because matching boxes against a tiny
CLIP's text embeddings does not separate objects (its text tower only learns the scene).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from vlmkit.models.backbone import Backbone, conv_bn
from vlmkit.models.config import DetectorConfig

SIZE_REF = 16.0  # box sizes are regressed as log(size / SIZE_REF) pixels


class TinyDetector(nn.Module):
    def __init__(self, config: DetectorConfig):
        super().__init__()
        self.config = config
        self.backbone = Backbone(config.backbone)
        c4, c8, c16 = self.backbone.out_channels
        d, k, m = config.neck_dim, len(config.classes), len(config.colors)
        self.lat4, self.lat8, self.lat16 = nn.Conv2d(c4, d, 1), nn.Conv2d(c8, d, 1), nn.Conv2d(c16, d, 1)
        self.smooth8, self.smooth4, self.head = conv_bn(d, d), conv_bn(d, d), conv_bn(d, d)
        self.out = nn.Conv2d(d, k + 4 + m, 1)  # heatmap logits | log w, log h, dx, dy | colour logits
        self.scene = nn.Linear(c16, len(config.scenes))
        nn.init.constant_(self.out.bias[:k], -math.log((1 - 0.01) / 0.01))  # start at p = 0.01
        self.token_dim = 2 + k + m + 2 + 1 + d  # see vqa_tokens
        self.global_dim = len(config.scenes) + c16

    def forward(self, images) -> dict:
        f4, f8, f16 = self.backbone(images)
        n8 = self.smooth8(self.lat8(f8) + F.interpolate(self.lat16(f16), scale_factor=2))
        neck = self.smooth4(self.lat4(f4) + F.interpolate(n8, scale_factor=2))
        raw = self.out(self.head(neck))
        k = len(self.config.classes)
        pooled = f16.mean((2, 3))
        return {
            "heat": raw[:, :k],
            "box": raw[:, k : k + 4],
            "color": raw[:, k + 4 :],
            "neck": neck,
            "scene": self.scene(pooled),
            "pooled": pooled,
        }

    # --- training ---------------------------------------------------------------------------

    def targets(self, objects_per_image, device=None) -> dict:
        """Dense targets at stride 4 from annotations [{'name', 'box', 'color'}] per image."""
        cfg, s = self.config, self.config.stride
        g = cfg.backbone.image_size // s
        B, k = len(objects_per_image), len(cfg.classes)
        heat = torch.zeros(B, k, g, g)
        box = torch.zeros(B, 4, g, g)
        center = torch.zeros(B, g, g, dtype=torch.bool)
        color = torch.full((B, g, g), -100, dtype=torch.long)  # -100: ignored by cross_entropy
        best = torch.zeros(B, g, g)  # strongest gaussian so far per cell, to own its colour label
        ys, xs = torch.meshgrid(torch.arange(g).float(), torch.arange(g).float(), indexing="ij")
        for b, objects in enumerate(objects_per_image):
            for o in objects:
                x1, y1, x2, y2 = o["box"]
                cx, cy = (x1 + x2) / 2 / s, (y1 + y2) / 2 / s
                ix, iy = min(int(cx), g - 1), min(int(cy), g - 1)
                sx, sy = max(0.5, (x2 - x1) / s / 6), max(0.5, (y2 - y1) / s / 6)
                gauss = torch.exp(-((xs - ix) ** 2) / (2 * sx**2) - ((ys - iy) ** 2) / (2 * sy**2))
                c = cfg.classes.index(o["name"])
                heat[b, c] = torch.maximum(heat[b, c], gauss)
                box[b, :, iy, ix] = torch.tensor(
                    [math.log((x2 - x1) / SIZE_REF), math.log((y2 - y1) / SIZE_REF), cx - ix, cy - iy]
                )
                center[b, iy, ix] = True
                owns = (gauss > 0.3) & (gauss > best[b])
                color[b][owns] = cfg.colors.index(o["color"])
                best[b] = torch.maximum(best[b], gauss)
        t = {"heat": heat, "box": box, "center": center, "color": color}
        return {key: v.to(device) for key, v in t.items()} if device is not None else t

    def loss(self, out, targets, scenes=None) -> dict:
        """Focal heatmap loss + L1 box at centres + colour CE (+ scene CE when scenes are given)."""
        p = out["heat"].sigmoid().clamp(1e-4, 1 - 1e-4)
        gt = targets["heat"]
        pos = gt.eq(1).float()
        n = pos.sum().clamp(min=1)
        focal = -(pos * (1 - p) ** 2 * p.log() + (1 - pos) * (1 - gt) ** 4 * p**2 * (1 - p).log()).sum() / n
        c = targets["center"]
        box = F.l1_loss(out["box"].permute(0, 2, 3, 1)[c], targets["box"].permute(0, 2, 3, 1)[c], reduction="sum") / n
        color = F.cross_entropy(out["color"], targets["color"], ignore_index=-100)
        losses = {"heat": focal, "box": box, "color": 0.5 * color}
        if scenes is not None:
            losses["scene"] = 0.2 * F.cross_entropy(out["scene"], scenes)
        losses["total"] = sum(losses.values())
        return losses

    # --- inference --------------------------------------------------------------------------

    @staticmethod
    def peaks(heat_prob):
        """Keep a cell only where it is the maximum of its 3×3 neighbourhood (CenterNet's NMS)."""
        return heat_prob * (heat_prob == F.max_pool2d(heat_prob, 3, 1, 1)).float()

    @torch.no_grad()
    def decode(self, out, threshold=None) -> list:
        """Per image: detections [{'name', 'box' (model pixels), 'score', 'color'}], best first."""
        cfg, s = self.config, self.config.stride
        threshold = cfg.score_threshold if threshold is None else threshold
        peaks = self.peaks(out["heat"].sigmoid())
        size = cfg.backbone.image_size
        results = []
        for b in range(peaks.shape[0]):
            scores, idx = peaks[b].flatten().topk(min(cfg.max_detections, peaks[b].numel()))
            dets = []
            for score, i in zip(scores.tolist(), idx.tolist(), strict=True):
                if score < threshold:
                    break
                c, rem = divmod(i, peaks.shape[2] * peaks.shape[3])
                iy, ix = divmod(rem, peaks.shape[3])
                lw, lh, dx, dy = out["box"][b, :, iy, ix].tolist()
                cx, cy = (ix + dx) * s, (iy + dy) * s
                w, h = math.exp(lw) * SIZE_REF, math.exp(lh) * SIZE_REF
                box = [max(0.0, cx - w / 2), max(0.0, cy - h / 2), min(size, cx + w / 2), min(size, cy + h / 2)]
                dets.append(
                    {
                        "name": cfg.classes[c],
                        "box": box,
                        "score": score,
                        "color": cfg.colors[int(out["color"][b, :, iy, ix].argmax())],
                    }
                )
            results.append(dets)
        return results

    def vqa_tokens(self, out, k: int = 10):
        """(tokens (B, k, token_dim), global (B, global_dim)): what the VQA model looks at.

        One token per candidate object: the k strongest peaks of the class-max heatmap, each
        with its (x, y) in [-1, 1] first, then all class probabilities, colour probabilities,
        log box size, peak strength and neck features at that cell. Weak candidates stay in (the
        VQA model learns to discount them), so a count is never cut by a fixed threshold here.
        """
        cfg = self.config
        heat = out["heat"].sigmoid()
        B, _, H, W = heat.shape
        best = heat.amax(1)
        scores, idx = self.peaks(best[:, None])[:, 0].flatten(1).topk(k)  # B, k

        def at_peaks(x):  # (B, C, H, W) -> (B, k, C)
            return x.flatten(2).gather(2, idx[:, None].expand(-1, x.shape[1], -1)).transpose(1, 2)

        box = at_peaks(out["box"])
        xy = torch.stack([idx % W, idx // W], -1).float() + box[..., 2:]
        xy = xy * cfg.stride / cfg.backbone.image_size * 2 - 1
        parts = [
            xy,
            at_peaks(heat),
            at_peaks(out["color"].softmax(1)),
            box[..., :2],
            scores[..., None],
            at_peaks(out["neck"]),
        ]
        return torch.cat(parts, -1), torch.cat([out["scene"], out["pooled"]], 1)
