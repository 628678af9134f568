"""Realistic wrong answers to Q3, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
Each wrong source is the solution's answer cell with one realistic mistake (`_mistake` checks
that the mistake really changed the code).
"""

MLP = '''
class MLPProjector(nn.Module):
    def __init__(self, vision_dim, text_dim):
        super().__init__()
        self.linear_1 = nn.Linear(vision_dim, text_dim)
        self.act = nn.GELU()
        self.linear_2 = nn.Linear(text_dim, text_dim)

    def forward(self, image_features):
        return self.linear_2(self.act(self.linear_1(image_features)))
'''

QFORMER = '''
class QFormerLayer(nn.Module):
    def __init__(self, dim, vision_dim, num_heads):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(dim, num_heads, batch_first=True)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_attn = nn.MultiheadAttention(dim, num_heads, kdim=vision_dim, vdim=vision_dim, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))
        self.norm3 = nn.LayerNorm(dim)

    def forward(self, queries, image_features):
        q = self.norm1(queries + self.self_attn(queries, queries, queries, need_weights=False)[0])
        q = self.norm2(q + self.cross_attn(q, image_features, image_features, need_weights=False)[0])
        return self.norm3(q + self.mlp(q))


class QFormerBridge(nn.Module):
    def __init__(self, vision_dim, text_dim, dim=768, num_layers=12, num_heads=12, num_queries=32):
        super().__init__()
        self.query_tokens = nn.Parameter(torch.randn(1, num_queries, dim) * 0.02)
        self.in_norm = nn.LayerNorm(dim)
        self.layers = nn.ModuleList([QFormerLayer(dim, vision_dim, num_heads) for _ in range(num_layers)])
        self.proj = nn.Linear(dim, text_dim)

    def forward(self, image_features):
        q = self.in_norm(self.query_tokens.expand(image_features.shape[0], -1, -1))
        for layer in self.layers:
            q = layer(q, image_features)
        return self.proj(q)
'''

PERCEIVER = '''
class PerceiverLayer(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.norm_context = nn.LayerNorm(dim)
        self.norm_latents = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, num_heads, bias=False, batch_first=True)
        self.ff = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, 4 * dim, bias=False), nn.ReLU(),
                                nn.Linear(4 * dim, dim, bias=False))

    def forward(self, context, latents):
        c, l = self.norm_context(context), self.norm_latents(latents)
        kv = torch.cat([c, l], dim=1)
        latents = latents + self.attn(l, kv, kv, need_weights=False)[0]
        return latents + self.ff(latents)


class PerceiverResampler(nn.Module):
    def __init__(self, dim, depth=6, num_heads=16, num_latents=64):
        super().__init__()
        self.latents = nn.Parameter(torch.randn(num_latents, dim))
        self.layers = nn.ModuleList([PerceiverLayer(dim, num_heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, context):
        latents = self.latents.expand(context.shape[0], -1, -1)
        for layer in self.layers:
            latents = layer(context, latents)
        return self.norm(latents)
'''

GATED = '''
class GatedCrossAttentionBlock(nn.Module):
    def __init__(self, dim, vision_dim, num_heads, hidden_dim):
        super().__init__()
        self.norm_attn = nn.RMSNorm(dim, eps=1e-6)
        self.cross_attn = nn.MultiheadAttention(dim, num_heads, kdim=vision_dim, vdim=vision_dim, bias=False,
                                                batch_first=True)
        self.alpha_xattn = nn.Parameter(torch.zeros(1))
        self.norm_ff = nn.RMSNorm(dim, eps=1e-6)
        self.ff = SwiGLU(dim, hidden_dim)
        self.alpha_dense = nn.Parameter(torch.zeros(1))

    def forward(self, x, visual):
        h = self.norm_attn(x)
        x = x + torch.tanh(self.alpha_xattn) * self.cross_attn(h, visual, visual, need_weights=False)[0]
        return x + torch.tanh(self.alpha_dense) * self.ff(self.norm_ff(x))
'''

REPORT = '''
REALISTIC = {"vision_dim": 1024, "text_dim": 4096,
             "qformer": {"dim": 768, "num_layers": 12, "num_heads": 12, "num_queries": 32},
             "perceiver": {"depth": 6, "num_heads": 16, "num_latents": 64},
             "gated": {"num_layers": 8, "num_heads": 32, "hidden_dim": 11008}}


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


def bridge_report(sizes, patch_counts=(576,)):
    v, t, g = sizes["vision_dim"], sizes["text_dim"], sizes["gated"]
    with torch.device("meta"):
        bridges = {"mlp": MLPProjector(v, t), "qformer": QFormerBridge(v, t, **sizes["qformer"]),
                   "perceiver": PerceiverResampler(v, **sizes["perceiver"])}
        block = GatedCrossAttentionBlock(t, v, g["num_heads"], g["hidden_dim"])
        tokens = {name: [bridge(torch.empty(1, n, v)).shape[1] for n in patch_counts]
                  for name, bridge in bridges.items()}
    params = {name: count_parameters(bridge) for name, bridge in bridges.items()}
    params["perceiver"] += g["num_layers"] * count_parameters(block)
    torch.manual_seed(0)
    small = GatedCrossAttentionBlock(16, 8, 2, 32)
    x = torch.randn(2, 5, 16)
    with torch.no_grad():
        change = (small(x, torch.randn(2, 3, 8)) - x).abs().max().item()
    return {"params": params, "tokens": tokens, "gate_change_at_init": change}
'''


def _mistake(source, *edits):
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    return source


PATCHES_AS_QUERIES = _mistake(
    QFORMER,
    ("        self.in_norm = nn.LayerNorm(dim)\n        self.layers = nn.ModuleList([QFormerLayer(dim, vision_dim,",
     "        self.in_proj = nn.Linear(vision_dim, dim)\n        self.in_norm = nn.LayerNorm(dim)\n"
     "        self.layers = nn.ModuleList([QFormerLayer(dim, dim,"),
    ("        q = self.in_norm(self.query_tokens.expand(image_features.shape[0], -1, -1))\n"
     "        for layer in self.layers:\n            q = layer(q, image_features)\n        return self.proj(q)",
     "        x = self.in_norm(self.in_proj(image_features))\n"
     "        queries = self.query_tokens.expand(image_features.shape[0], -1, -1)\n"
     "        for layer in self.layers:\n            x = layer(x, queries)  # each patch reads the queries\n"
     "        return self.proj(x)"))

WRONG = [
    ("ReLU instead of GELU", "q3_mlp", _mistake(MLP, ("nn.GELU()", "nn.ReLU()")), {"q3_test_mlp"}),
    ("projector without biases", "q3_mlp",
     _mistake(MLP, ("nn.Linear(vision_dim, text_dim)", "nn.Linear(vision_dim, text_dim, bias=False)"),
              ("nn.Linear(text_dim, text_dim)", "nn.Linear(text_dim, text_dim, bias=False)")),
     {"q3_test_mlp", "q3_test_report"}),
    ("tanh approximation of GELU", "q3_mlp", _mistake(MLP, ("nn.GELU()", 'nn.GELU(approximate="tanh")')),
     {"q3_test_mlp"}),
    ("Q-Former: patches are the queries, output length = patches", "q3_qformer", PATCHES_AS_QUERIES,
     {"q3_test_qformer", "q3_test_report"}),
    ("Q-Former: as many queries as patches (capped)", "q3_qformer",
     _mistake(QFORMER, ("self.query_tokens.expand(image_features.shape[0], -1, -1)",
                        "self.query_tokens[:, :image_features.shape[1]].expand(image_features.shape[0], -1, -1)")),
     {"q3_test_qformer", "q3_test_report"}),
    ("Q-Former: queries in a buffer, not learned", "q3_qformer",
     _mistake(QFORMER, ("self.query_tokens = nn.Parameter(torch.randn(1, num_queries, dim) * 0.02)",
                        'self.register_buffer("query_tokens", torch.randn(1, num_queries, dim) * 0.02)')),
     {"q3_test_qformer", "q3_test_report"}),
    ("Q-Former: pre-norm layers", "q3_qformer",
     _mistake(QFORMER,
              ("        q = self.norm1(queries + self.self_attn(queries, queries, queries, need_weights=False)[0])\n"
               "        q = self.norm2(q + self.cross_attn(q, image_features, image_features, need_weights=False)[0])\n"
               "        return self.norm3(q + self.mlp(q))",
               "        h = self.norm1(queries)\n"
               "        q = queries + self.self_attn(h, h, h, need_weights=False)[0]\n"
               "        h = self.norm2(q)\n"
               "        q = q + self.cross_attn(h, image_features, image_features, need_weights=False)[0]\n"
               "        return q + self.mlp(self.norm3(q))")),
     {"q3_test_qformer"}),
    ("Perceiver: latents attend only to the context", "q3_perceiver",
     _mistake(PERCEIVER, ("kv = torch.cat([c, l], dim=1)", "kv = c")), {"q3_test_perceiver"}),
    ("Perceiver: no final LayerNorm", "q3_perceiver",
     _mistake(PERCEIVER, ("        self.norm = nn.LayerNorm(dim)\n", ""),
              ("return self.norm(latents)", "return latents")),
     {"q3_test_perceiver", "q3_test_report"}),
    ("Perceiver: residuals forgotten", "q3_perceiver",
     _mistake(PERCEIVER, ("latents = latents + self.attn(", "latents = self.attn("),
              ("return latents + self.ff(latents)", "return self.ff(latents)")),
     {"q3_test_perceiver"}),
    ("gate: sigmoid instead of tanh", "q3_gated", _mistake(GATED, ("torch.tanh(", "torch.sigmoid(")),
     {"q3_test_gated", "q3_test_report"}),
    ("gate: alphas start at 1", "q3_gated", _mistake(GATED, ("torch.zeros(1)", "torch.ones(1)")),
     {"q3_test_gated", "q3_test_report"}),
    ("gate: alpha used without tanh", "q3_gated",
     _mistake(GATED, ("torch.tanh(self.alpha_xattn)", "self.alpha_xattn"),
              ("torch.tanh(self.alpha_dense)", "self.alpha_dense")),
     {"q3_test_gated"}),
    ("count_parameters counts tensors, not elements", "q3_report",
     _mistake(REPORT, ("return sum(p.numel() for p in module.parameters())", "return len(list(module.parameters()))")),
     {"q3_test_report"}),
    ("report: Flamingo counted without its gated blocks", "q3_report",
     _mistake(REPORT, ('    params["perceiver"] += g["num_layers"] * count_parameters(block)\n', "")),
     {"q3_test_report"}),
]
