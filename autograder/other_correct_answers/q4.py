"""Correct answers to Q4 written differently from the solution; each must keep full marks.

Each entry: (name, answer cell grade_id, the whole cell's source). They cover readings the
markdown leaves open (the detailed description kept as the teacher wrote it, or stripped on the
right only; any instruction from DETAIL_QUESTIONS; AdamW with weight decay 0 and several
parameter groups) and other idioms (reciprocal scaling, numpy division, `%`-formatting, a regex
a plain split or a line-by-line reading for the Q&A blocks, parameters grouped by name, labels built with a mask).
"""

CONTEXT_LINES = '''def context_text(image):
    """Captions (one per line), a blank line, then 'label: [x1, y1, x2, y2]' per object, normalised, 3 decimals."""
    sx, sy = 1 / image["width"], 1 / image["height"]
    lines = list(image["captions"]) + [""]
    for label, box in image["objects"]:
        scaled = [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy]
        lines.append(label + ": [" + ", ".join(format(v, ".3f") for v in scaled) + "]")
    return "\\n".join(lines)


def teacher_messages(system, image, few_shot=()):
    """[{"role": "system", ...}, ({"role": "user", context}, {"role": "assistant", response}) per example,
    {"role": "user", "content": context_text(image)}] — every message is {"role": str, "content": str}."""
    shots = [message for example in few_shot
             for message in ({"role": "user", "content": example["context"]},
                             {"role": "assistant", "content": example["response"]})]
    return [{"role": "system", "content": system}, *shots, {"role": "user", "content": context_text(image)}]
'''

CONTEXT_NUMPY = '''import numpy as np


def context_text(image):
    """Captions (one per line), a blank line, then 'label: [x1, y1, x2, y2]' per object, normalised, 3 decimals."""
    scale = np.array([image["width"], image["height"]] * 2, dtype=np.float64)
    rows = []
    for label, box in image["objects"]:
        values = np.asarray(box, dtype=np.float64) / scale
        rows.append("%s: [%s]" % (label, ", ".join("%.3f" % round(float(v), 3) for v in values)))
    return "\\n".join(image["captions"]) + "\\n\\n" + "\\n".join(rows)


def teacher_messages(system, image, few_shot=()):
    """[{"role": "system", ...}, ({"role": "user", context}, {"role": "assistant", response}) per example,
    {"role": "user", "content": context_text(image)}] — every message is {"role": str, "content": str}."""
    messages = [dict(role="system", content=system)]
    for shot in list(few_shot):
        messages += [dict(role="user", content=shot["context"]), dict(role="assistant", content=shot["response"])]
    messages += [dict(role="user", content=context_text(image))]
    return messages
'''

RECORDS_REGEX = '''def parse_qa(response):
    """'Question:\\n...\\n===\\nAnswer:\\n...' blocks -> [[question, answer], ...], stripped, in order."""
    found = re.findall(r"Question:(.*?)^===[ \\t]*$\\s*Answer:(.*?)(?=^===[ \\t]*$|\\Z)", response,
                       flags=re.DOTALL | re.MULTILINE)
    return [[question.strip(), answer.strip()] for question, answer in found]


def generate_records(image, teacher):
    """One LLaVA record per kind in KINDS, from the teacher's answers (teacher(messages) -> str)."""
    records = []
    for kind in KINDS:
        response = teacher(teacher_messages(SYSTEM_PROMPTS[kind], image, FEW_SHOT[kind]))
        # the description kept exactly as the teacher wrote it
        pairs = [(random.choice(DETAIL_QUESTIONS), response)] if kind == "detail" else parse_qa(response)
        turns = [turn for i, (q, a) in enumerate(pairs)
                 for turn in ({"from": "human", "value": "<image>\\n" + q if i == 0 else q},
                              {"from": "gpt", "value": a})]
        records.append(dict(id=image["id"], image=image["file"], conversations=turns))
    return records
'''

RECORDS_SPLIT = '''def parse_qa(response):
    """'Question:\\n...\\n===\\nAnswer:\\n...' blocks -> [[question, answer], ...], stripped, in order."""
    blocks = [block.strip() for block in response.split("\\n===\\n")]
    blocks = [block for block in blocks if block]
    return [[q.removeprefix("Question:").strip(), a.removeprefix("Answer:").strip()]
            for q, a in zip(blocks[0::2], blocks[1::2])]


def generate_records(image, teacher):
    """One LLaVA record per kind in KINDS, from the teacher's answers (teacher(messages) -> str)."""
    out = []
    for kind in KINDS:
        messages = teacher_messages(SYSTEM_PROMPTS[kind], image, FEW_SHOT[kind])
        text = teacher(messages)
        if kind == "detail":
            qa = [[DETAIL_QUESTIONS[-1], text.rstrip()]]
        else:
            qa = parse_qa(text)
        conversations = []
        for question, answer in qa:
            if not conversations:
                question = "<image>\\n" + question
            conversations += [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]
        out.append({"id": image["id"], "image": image["file"], "conversations": conversations})
    return out
'''

RECORDS_LINES = '''def parse_qa(response):
    """'Question:\\n...\\n===\\nAnswer:\\n...' blocks -> [[question, answer], ...], stripped, in order ([] if none)."""
    blocks, lines = [], []
    for line in response.splitlines() + ["==="]:  # a separator line is === alone, spaces around it allowed
        if line.strip() == "===":
            blocks.append("\\n".join(lines).strip())
            lines = []
        else:
            lines.append(line)
    pairs = []
    for first, second in zip(blocks, blocks[1:]):
        if first.startswith("Question:") and second.startswith("Answer:"):
            pairs.append([first.removeprefix("Question:").strip(), second.removeprefix("Answer:").strip()])
    return pairs


def generate_records(image, teacher):
    """One LLaVA record per kind in KINDS, from the teacher's answers (teacher(messages) -> str)."""
    records = []
    for kind in KINDS:
        response = teacher(teacher_messages(SYSTEM_PROMPTS[kind], image, FEW_SHOT[kind]))
        if kind == "detail":
            pairs = [[DETAIL_QUESTIONS[0], response.strip()]]
        else:
            pairs = parse_qa(response)
        conversations = []
        for i, (question, answer) in enumerate(pairs):
            conversations += [{"from": "human", "value": ("<image>\\n" if i == 0 else "") + question},
                              {"from": "gpt", "value": answer}]
        records.append({"id": image["id"], "image": image["file"], "conversations": conversations})
    return records
'''

STAGES_BY_NAME = '''PREFIXES = {"vision": ("model.vision_tower.",), "projector": ("model.multi_modal_projector.",),
            "llm": ("model.language_model.", "lm_head.")}


def _group(name):
    return next(g for g, prefixes in PREFIXES.items() if name.startswith(prefixes))


def configure_stage(model, stage):
    """Freeze/unfreeze the groups for LLaVA's stage 1 or 2; return AdamW over the trainable parameters."""
    train = ("projector",) if stage == 1 else ("projector", "llm")
    by_group = {"projector": [], "llm": []}
    for name, p in model.named_parameters():
        p.requires_grad = _group(name) in train
        if p.requires_grad:
            by_group[_group(name)].append(p)
    groups = [{"params": ps} for ps in by_group.values() if ps]
    return torch.optim.AdamW(groups, lr=1e-3 if stage == 1 else 2e-5, weight_decay=0.0)


def parameter_counts(model):
    """{"vision": n, "projector": n, "llm": n}: number of parameter elements in each group."""
    counts = dict.fromkeys(PREFIXES, 0)
    for name, p in model.named_parameters():
        counts[_group(name)] += p.numel()
    return counts


def projector_share(model):
    """The projector's parameters as a fraction of the whole model's."""
    total = sum(p.numel() for p in model.parameters())
    return parameter_counts(model)["projector"] / total
'''

STAGES_FREEZE_ALL = '''def configure_stage(model, stage):
    """Freeze/unfreeze the groups for LLaVA's stage 1 or 2; return AdamW over the trainable parameters."""
    assert stage in (1, 2)
    model.requires_grad_(False)
    groups = module_groups(model)
    model.model.multi_modal_projector.requires_grad_(True)
    if stage == 2:
        for module in groups["llm"]:
            for p in module.parameters():
                p.requires_grad_(True)
    lr = 1e-3 if stage == 1 else 2e-5
    return torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()), lr)


def parameter_counts(model):
    """{"vision": n, "projector": n, "llm": n}: number of parameter elements in each group."""
    result = {}
    for name, modules in module_groups(model).items():
        result[name] = 0
        for module in modules:
            result[name] += sum(t.numel() for t in module.parameters(recurse=True))
    return result


def projector_share(model):
    """The projector's parameters as a fraction of the whole model's."""
    c = parameter_counts(model)
    return float(c["projector"]) / float(c["vision"] + c["projector"] + c["llm"])
'''

LABELS_MASK = '''def build_example(record, tokenize, image_token_id, num_image_tokens, eos_id, system=VICUNA_SYSTEM):
    """A LLaVA record -> (input_ids, labels): two lists of ints of the same length."""
    input_ids, learned = [], []
    turns = record["conversations"]
    for k, (human, gpt) in enumerate(zip(turns[0::2], turns[1::2])):
        prompt = f"{system} USER: {human['value']} ASSISTANT:" if k == 0 else f"USER: {human['value']} ASSISTANT:"
        for j, piece in enumerate(prompt.split("<image>")):
            if j:
                input_ids.extend([image_token_id] * num_image_tokens)
                learned.extend([False] * num_image_tokens)
            piece_ids = tokenize(piece)
            input_ids.extend(piece_ids)
            learned.extend([False] * len(piece_ids))
        answer = [*tokenize(" " + gpt["value"]), eos_id]
        input_ids.extend(answer)
        learned.extend([True] * len(answer))
    labels = [t if keep else IGNORE_INDEX for t, keep in zip(input_ids, learned)]
    return input_ids, labels
'''

LABELS_PARTITION = '''def build_example(record, tokenize, image_token_id, num_image_tokens, eos_id,
                  system=VICUNA_SYSTEM):
    """A LLaVA record -> (input_ids, labels): two lists of ints of the same length."""

    def encode_prompt(text):
        before, found, after = text.partition("<image>")
        ids = tokenize(before)
        if found:
            ids = ids + [image_token_id] * num_image_tokens + encode_prompt(after)
        return ids

    input_ids, labels = [], []
    conversation = record["conversations"]
    n_rounds = len(conversation) // 2
    for r in range(n_rounds):
        question, answer = conversation[2 * r]["value"], conversation[2 * r + 1]["value"]
        head = system + " " if r == 0 else ""
        prompt_ids = encode_prompt(head + "USER: " + question + " ASSISTANT:")
        answer_ids = tokenize(" " + answer) + [eos_id]
        input_ids = input_ids + prompt_ids + answer_ids
        labels = labels + [IGNORE_INDEX] * len(prompt_ids) + list(answer_ids)
    return input_ids, labels
'''

CORRECT = [
    ("context as a list of lines, reciprocal scale; messages unpacked", "q4_context", CONTEXT_LINES),
    ("context with numpy division, round then %-format", "q4_context", CONTEXT_NUMPY),
    ("parse_qa with a regex; description kept unstripped, global random", "q4_records", RECORDS_REGEX),
    ("parse_qa with a plain split; description right-stripped, last instruction", "q4_records", RECORDS_SPLIT),
    ("parse_qa line by line, a separator any line that strips to ===; [] without a pair", "q4_records", RECORDS_LINES),
    ("groups by parameter name, AdamW without weight decay, one group per part", "q4_stages", STAGES_BY_NAME),
    ("freeze everything then unfreeze, optimizer over a filter", "q4_stages", STAGES_FREEZE_ALL),
    ("labels from a mask of learned positions", "q4_labels", LABELS_MASK),
    ("<image> found by recursive partition", "q4_labels", LABELS_PARTITION),
]
