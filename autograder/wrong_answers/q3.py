"""Realistic wrong answers to Q3, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
Each wrong source is the solution's own answer cell (read from solutions/) with one realistic
mistake (`mistake` checks that each passage it changes is there exactly once).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

ANSWERS = solution_answers(paths.SOLUTIONS / "checkpoint" / "q3_bridges.ipynb")
MLP, QFORMER, PERCEIVER, GATED, REPORT = (ANSWERS[k] for k in ("q3_mlp", "q3_qformer", "q3_perceiver", "q3_gated",
                                                                 "q3_report"))


PATCHES_AS_QUERIES = mistake(
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
    ("ReLU instead of GELU", "q3_mlp", mistake(MLP, ("nn.GELU()", "nn.ReLU()")), {"q3_test_mlp"}),
    ("projector without biases", "q3_mlp",
     mistake(MLP, ("nn.Linear(vision_dim, text_dim)", "nn.Linear(vision_dim, text_dim, bias=False)"),
              ("nn.Linear(text_dim, text_dim)", "nn.Linear(text_dim, text_dim, bias=False)")),
     {"q3_test_mlp", "q3_test_report"}),
    ("tanh approximation of GELU", "q3_mlp", mistake(MLP, ("nn.GELU()", 'nn.GELU(approximate="tanh")')),
     {"q3_test_mlp"}),
    ("Q-Former: patches are the queries, output length = patches", "q3_qformer", PATCHES_AS_QUERIES,
     {"q3_test_qformer", "q3_test_report"}),
    ("Q-Former: as many queries as patches (capped)", "q3_qformer",
     mistake(QFORMER, ("self.query_tokens.expand(image_features.shape[0], -1, -1)",
                        "self.query_tokens[:, :image_features.shape[1]].expand(image_features.shape[0], -1, -1)")),
     {"q3_test_qformer", "q3_test_report"}),
    ("Q-Former: queries in a buffer, not learned", "q3_qformer",
     mistake(QFORMER, ("self.query_tokens = nn.Parameter(torch.randn(1, num_queries, dim) * 0.02)",
                        'self.register_buffer("query_tokens", torch.randn(1, num_queries, dim) * 0.02)')),
     {"q3_test_qformer", "q3_test_report"}),
    ("Q-Former: pre-norm layers", "q3_qformer",
     mistake(QFORMER,
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
     mistake(PERCEIVER, ("kv = torch.cat([c, l], dim=1)", "kv = c")), {"q3_test_perceiver"}),
    ("Perceiver: no final LayerNorm", "q3_perceiver",
     mistake(PERCEIVER, ("        self.norm = nn.LayerNorm(dim)\n", ""),
              ("return self.norm(latents)", "return latents")),
     {"q3_test_perceiver", "q3_test_report"}),
    ("Perceiver: residuals forgotten", "q3_perceiver",
     mistake(PERCEIVER, ("latents = latents + self.attn(", "latents = self.attn("),
              ("return latents + self.ff(latents)", "return self.ff(latents)")),
     {"q3_test_perceiver"}),
    ("gate: sigmoid instead of tanh", "q3_gated",
     mistake(GATED, ("torch.tanh(self.alpha_xattn)", "torch.sigmoid(self.alpha_xattn)"),
             ("torch.tanh(self.alpha_dense)", "torch.sigmoid(self.alpha_dense)")),
     {"q3_test_gated", "q3_test_report"}),
    ("gate: alphas start at 1", "q3_gated",
     mistake(GATED, ("alpha_xattn = nn.Parameter(torch.zeros(1))", "alpha_xattn = nn.Parameter(torch.ones(1))"),
             ("alpha_dense = nn.Parameter(torch.zeros(1))", "alpha_dense = nn.Parameter(torch.ones(1))")),
     {"q3_test_gated", "q3_test_report"}),
    ("gate: alpha used without tanh", "q3_gated",
     mistake(GATED, ("torch.tanh(self.alpha_xattn)", "self.alpha_xattn"),
              ("torch.tanh(self.alpha_dense)", "self.alpha_dense")),
     {"q3_test_gated"}),
    ("MLP: image features detached (no gradient back to the vision encoder)", "q3_mlp",
     mistake(MLP, ("self.linear_1(image_features)", "self.linear_1(image_features.detach())")), {"q3_test_mlp"}),
    ("Q-Former: image features detached in cross-attention", "q3_qformer",
     mistake(QFORMER, ("self.cross_attn(q, image_features, image_features, need_weights=False)",
                       "self.cross_attn(q, image_features.detach(), image_features.detach(), need_weights=False)")),
     {"q3_test_qformer"}),
    ("gate: block skipped while both gates are closed (the alphas get no gradient)", "q3_gated",
     mistake(GATED, ("        h = self.norm_attn(x)\n",
                     "        if not (self.alpha_xattn.any() or self.alpha_dense.any()):\n"
                     "            return x  # tanh(0) = 0: both branches add nothing\n"
                     "        h = self.norm_attn(x)\n")),
     {"q3_test_gated"}),
    ("count_parameters counts tensors, not elements", "q3_report",
     mistake(REPORT, ("return sum(p.numel() for p in module.parameters())", "return len(list(module.parameters()))")),
     {"q3_test_report"}),
    ("report: Flamingo counted without its gated blocks", "q3_report",
     mistake(REPORT, ('    params["perceiver"] += g["num_layers"] * count_parameters(block)\n', "")),
     {"q3_test_report"}),
]

# Mistakes only the behavioural contracts (grading/checking/contracts.py) catch: right on the checks' own
# inputs, wrong on a layout or batch size the spec allows.
WRONG += [
    ("MLP: tokens flattened with .view", "q3_mlp",
     mistake(MLP, ("        return self.linear_2(self.act(self.linear_1(image_features)))",
                   "        b, n, d = image_features.shape\n        x = image_features.view(b * n, d)\n"
                   "        return self.linear_2(self.act(self.linear_1(x))).view(b, n, -1)")),
     {"q3_test_mlp"}),
    ("MLP: the batch dimension squeezed", "q3_mlp",
     mistake(MLP, ("        return self.linear_2(self.act(self.linear_1(image_features)))",
                   "        return self.linear_2(self.act(self.linear_1(image_features))).squeeze(0)")),
     {"q3_test_mlp", "q3_test_report"}),
]
