"""Correct answers to Q3 written differently from the solution: each must keep full marks.

Each entry: (name, answer cell grade_id, the cell's full source). Each is the solution's own
answer cell (read from solutions/) with passages rewritten in another idiom or another reading
the docstrings allow (`mistake` checks that each changed passage is there exactly once).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

ANSWERS = solution_answers(paths.SOLUTIONS / "checkpoint" / "q3_bridges.ipynb")
MLP, QFORMER, PERCEIVER, GATED, REPORT = (ANSWERS[k] for k in ("q3_mlp", "q3_qformer", "q3_perceiver", "q3_gated",
                                                                 "q3_report"))

CORRECT = [
    ("MLP: functional GELU in forward, explicit approximate='none'", "q3_mlp",
     mistake(MLP, ("self.act = nn.GELU()", 'self.act = nn.GELU(approximate="none")'),
             ("return self.linear_2(self.act(self.linear_1(image_features)))",
              "h = F.gelu(self.linear_1(image_features))\n        return self.linear_2(h)"))),
    ("Q-Former: queries from nn.init.normal_, attention weights returned and ignored", "q3_qformer",
     mistake(QFORMER,
             ("self.query_tokens = nn.Parameter(torch.randn(1, num_queries, dim) * 0.02)",
              "self.query_tokens = nn.Parameter(torch.empty(1, num_queries, dim))\n"
              "        nn.init.normal_(self.query_tokens, mean=0.0, std=0.02)"),
             ("q = self.norm1(queries + self.self_attn(queries, queries, queries, need_weights=False)[0])",
              "attended, _ = self.self_attn(queries, queries, queries)\n        q = self.norm1(queries + attended)"),
             ("q = self.in_norm(self.query_tokens.expand(image_features.shape[0], -1, -1))",
              "q = self.in_norm(self.query_tokens).repeat(len(image_features), 1, 1)"))),
    ("Perceiver: keys [latents; context] (order is irrelevant to attention), latents repeated", "q3_perceiver",
     mistake(PERCEIVER,
             ("kv = torch.cat([c, l], dim=1)", "kv = torch.cat((l, c), dim=-2)"),
             ("self.latents = nn.Parameter(torch.randn(num_latents, dim))",
              "self.latents = nn.Parameter(nn.init.normal_(torch.empty(num_latents, dim)))"),
             ("latents = self.latents.expand(context.shape[0], -1, -1)",
              "latents = self.latents.unsqueeze(0).repeat(context.shape[0], 1, 1)"))),
    ("gate: alphas as torch.tensor([0.]), method-call tanh, norms computed inline", "q3_gated",
     mistake(GATED,
             ("self.alpha_xattn = nn.Parameter(torch.zeros(1))",
              "self.alpha_xattn = nn.Parameter(torch.tensor([0.0]))"),
             ("self.alpha_dense = nn.Parameter(torch.zeros(1))",
              "self.alpha_dense = nn.Parameter(torch.tensor([0.0]))"),
             ("        h = self.norm_attn(x)\n"
              "        x = x + torch.tanh(self.alpha_xattn) * "
              "self.cross_attn(h, visual, visual, need_weights=False)[0]\n"
              "        return x + torch.tanh(self.alpha_dense) * self.ff(self.norm_ff(x))",
              "        attended = self.cross_attn(self.norm_attn(x), visual, visual)[0]\n"
              "        x = x + self.alpha_xattn.tanh() * attended\n"
              "        y = self.ff(self.norm_ff(x))\n"
              "        return x + self.alpha_dense.tanh() * y"))),
    ("report: counts with math.prod, tokens from the sizes (no meta run), another small gated block", "q3_report",
     mistake(REPORT,
             ("return sum(p.numel() for p in module.parameters())",
              "import math\n    return sum(math.prod(p.shape) for p in module.parameters())"),
             ("        tokens = {name: [bridge(torch.empty(1, n, v)).shape[1] for n in patch_counts]\n"
              "                  for name, bridge in bridges.items()}\n",
              ""),
             ("    params = {name: count_parameters(bridge) for name, bridge in bridges.items()}\n",
              "    params = {name: count_parameters(bridge) for name, bridge in bridges.items()}\n"
              "    tokens = {\"mlp\": list(patch_counts),\n"
              "              \"qformer\": [sizes[\"qformer\"].get(\"num_queries\", 32)] * len(patch_counts),\n"
              "              \"perceiver\": [sizes[\"perceiver\"].get(\"num_latents\", 64)] * len(patch_counts)}\n"),
             ("    torch.manual_seed(0)\n    small = GatedCrossAttentionBlock(16, 8, 2, 32)\n"
              "    x = torch.randn(2, 5, 16)\n",
              "    small = GatedCrossAttentionBlock(24, 12, 3, 40)\n    x = 10 * torch.randn(3, 7, 24)\n"),
             ("change = (small(x, torch.randn(2, 3, 8)) - x).abs().max().item()",
              "change = float((small(x, torch.randn(3, 4, 12)) - x).abs().max())"))),
]
