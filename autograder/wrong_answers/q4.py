"""Realistic wrong answers to Q4, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
Each wrong source is the solution's answer cell with one realistic mistake (`_mistake` checks
that the mistake really changed the code).
"""

CONTEXT = '''
def context_text(image):
    w, h = image["width"], image["height"]
    boxes = [f"{label}: [{x1 / w:.3f}, {y1 / h:.3f}, {x2 / w:.3f}, {y2 / h:.3f}]"
             for label, (x1, y1, x2, y2) in image["objects"]]
    return "\\n".join(image["captions"]) + "\\n\\n" + "\\n".join(boxes)


def teacher_messages(system, image, few_shot=()):
    messages = [{"role": "system", "content": system}]
    for example in few_shot:
        messages.append({"role": "user", "content": example["context"]})
        messages.append({"role": "assistant", "content": example["response"]})
    messages.append({"role": "user", "content": context_text(image)})
    return messages
'''

RECORDS = '''
def parse_qa(response):
    pairs, question = [], None
    for block in re.split(r"^===[ \\t]*$", response, flags=re.MULTILINE):
        block = block.strip()
        if block.startswith("Question:"):
            question = block[len("Question:"):].strip()
        elif block.startswith("Answer:") and question is not None:
            pairs.append([question, block[len("Answer:"):].strip()])
            question = None
    return pairs


def generate_records(image, teacher):
    records = []
    for kind in KINDS:
        response = teacher(teacher_messages(SYSTEM_PROMPTS[kind], image, FEW_SHOT[kind]))
        if kind == "detail":
            pairs = [[random.Random(image["id"]).choice(DETAIL_QUESTIONS), response.strip()]]
        else:
            pairs = parse_qa(response)
        conversations = []
        for i, (question, answer) in enumerate(pairs):
            conversations.append({"from": "human", "value": ("<image>\\n" if i == 0 else "") + question})
            conversations.append({"from": "gpt", "value": answer})
        records.append({"id": image["id"], "image": image["file"], "conversations": conversations})
    return records
'''

STAGES = '''
def configure_stage(model, stage):
    trainable = {1: {"projector"}, 2: {"projector", "llm"}}[stage]
    for name, modules in module_groups(model).items():
        for module in modules:
            module.requires_grad_(name in trainable)
    lr = {1: 1e-3, 2: 2e-5}[stage]
    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)


def parameter_counts(model):
    return {name: sum(p.numel() for module in modules for p in module.parameters())
            for name, modules in module_groups(model).items()}


def projector_share(model):
    counts = parameter_counts(model)
    return counts["projector"] / sum(counts.values())
'''

LABELS = '''
def build_example(record, tokenize, image_token_id, num_image_tokens, eos_id, system=VICUNA_SYSTEM):
    input_ids, labels = [], []
    turns = record["conversations"]
    for i in range(0, len(turns), 2):
        prompt = (system + " " if i == 0 else "") + "USER: " + turns[i]["value"] + " ASSISTANT:"
        pieces = prompt.split("<image>")
        prompt_ids = tokenize(pieces[0])
        for piece in pieces[1:]:
            prompt_ids += [image_token_id] * num_image_tokens + tokenize(piece)
        answer_ids = tokenize(" " + turns[i + 1]["value"]) + [eos_id]
        input_ids += prompt_ids + answer_ids
        labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids
    return input_ids, labels
'''


def _mistake(source, *edits):
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    return source


WRONG = [
    ("boxes left in pixels", "q4_context",
     _mistake(CONTEXT, ('f"{label}: [{x1 / w:.3f}, {y1 / h:.3f}, {x2 / w:.3f}, {y2 / h:.3f}]"',
                        'f"{label}: [{x1:.3f}, {y1:.3f}, {x2:.3f}, {y2:.3f}]"')),
     {"q4_test_teacher"}),
    ("x divided by the height, y by the width", "q4_context",
     _mistake(CONTEXT, ('f"{label}: [{x1 / w:.3f}, {y1 / h:.3f}, {x2 / w:.3f}, {y2 / h:.3f}]"',
                        'f"{label}: [{x1 / h:.3f}, {y1 / w:.3f}, {x2 / h:.3f}, {y2 / w:.3f}]"')),
     {"q4_test_teacher"}),
    ("few-shot examples after the query", "q4_context",
     _mistake(CONTEXT, ('    messages = [{"role": "system", "content": system}]\n',
                        '    messages = [{"role": "system", "content": system},\n'
                        '                {"role": "user", "content": context_text(image)}]\n'),
              ('    messages.append({"role": "user", "content": context_text(image)})\n', "")),
     {"q4_test_teacher"}),
    ("few-shot responses sent as user messages", "q4_context",
     _mistake(CONTEXT, ('{"role": "assistant", "content": example["response"]}',
                        '{"role": "user", "content": example["response"]}')),
     {"q4_test_teacher"}),
    ("roles user/assistant instead of human/gpt", "q4_records",
     _mistake(RECORDS, ('{"from": "human"', '{"from": "user"'), ('{"from": "gpt"', '{"from": "assistant"')),
     {"q4_test_records"}),
    ("no <image> placeholder", "q4_records",
     _mistake(RECORDS, ('("<image>\\n" if i == 0 else "") + question', "question")),
     {"q4_test_records"}),
    ("<image> in every human turn", "q4_records",
     _mistake(RECORDS, ('("<image>\\n" if i == 0 else "") + question', '"<image>\\n" + question')),
     {"q4_test_records"}),
    ("parse_qa keeps the Question:/Answer: prefixes", "q4_records",
     _mistake(RECORDS, ('question = block[len("Question:"):].strip()', "question = block"),
              ('pairs.append([question, block[len("Answer:"):].strip()])', "pairs.append([question, block])")),
     {"q4_test_records"}),
    ("stage 1 leaves the LLM trainable", "q4_stages",
     _mistake(STAGES, ('{1: {"projector"}, 2:', '{1: {"projector", "llm"}, 2:')), {"q4_test_stages"}),
    ("stage 2 unfreezes the vision encoder too", "q4_stages",
     _mistake(STAGES, ('2: {"projector", "llm"}}', '2: {"vision", "projector", "llm"}}')), {"q4_test_stages"}),
    ("stage 2 relies on stage 1 having frozen the vision encoder", "q4_stages",
     _mistake(STAGES, ("            module.requires_grad_(name in trainable)",
                       "            if name in trainable or stage == 1:\n"
                       "                module.requires_grad_(name in trainable)")),
     {"q4_test_stages"}),
    ("stage 2 leaves lm_head frozen", "q4_stages",
     _mistake(STAGES, ("    lr = {1: 1e-3, 2: 2e-5}[stage]\n",
                       "    model.lm_head.requires_grad_(False)\n    lr = {1: 1e-3, 2: 2e-5}[stage]\n")),
     {"q4_test_stages"}),
    ("learning rates swapped", "q4_stages", _mistake(STAGES, ("{1: 1e-3, 2: 2e-5}", "{1: 2e-5, 2: 1e-3}")),
     {"q4_test_stages"}),
    ("optimizer built before the groups are (un)frozen", "q4_stages",
     _mistake(STAGES,
              ("    trainable = {1:",
               "    params = [p for p in model.parameters() if p.requires_grad]\n"
               "    optimizer = torch.optim.AdamW(params, lr={1: 1e-3, 2: 2e-5}[stage])\n    trainable = {1:"),
              ("    lr = {1: 1e-3, 2: 2e-5}[stage]\n"
               "    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)",
               "    return optimizer")),
     {"q4_test_stages"}),
    ("prompt not masked", "q4_labels",
     _mistake(LABELS, ("labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "labels += [IGNORE_INDEX if t == image_token_id else t for t in prompt_ids] + answer_ids")),
     {"q4_test_labels"}),
    ("image tokens not masked", "q4_labels",
     _mistake(LABELS, ("labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "labels += [t if t == image_token_id else IGNORE_INDEX for t in prompt_ids] + answer_ids")),
     {"q4_test_labels"}),
    ("eos not learned", "q4_labels",
     _mistake(LABELS, ("labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids[:-1] + [IGNORE_INDEX]")),
     {"q4_test_labels"}),
    ("labels shifted by one by hand", "q4_labels",
     _mistake(LABELS, ("    return input_ids, labels", "    return input_ids, labels[1:] + [IGNORE_INDEX]")),
     {"q4_test_labels"}),
    ("only the last answer learned", "q4_labels",
     _mistake(LABELS, ("        labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "        labels = [IGNORE_INDEX] * (len(labels) + len(prompt_ids)) + answer_ids")),
     {"q4_test_labels"}),
]
