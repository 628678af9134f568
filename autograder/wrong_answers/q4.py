"""Realistic wrong answers to Q4, and the test cells each one must lose.

Each entry: (name, answer cell grade_id, the wrong cell's source, test cells that lose points).
Each wrong source is the solution's own answer cell (read from solutions/) with one realistic
mistake (`mistake` checks that each passage it changes is there exactly once).
"""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

ANSWERS = solution_answers(paths.SOLUTIONS / "checkpoint" / "q4_llava.ipynb")
CONTEXT, RECORDS, STAGES, LABELS = (ANSWERS[k] for k in ("q4_context", "q4_records", "q4_stages", "q4_labels"))


WRONG = [
    ("boxes left in pixels", "q4_context",
     mistake(CONTEXT, ('f"{label}: [{x1 / w:.3f}, {y1 / h:.3f}, {x2 / w:.3f}, {y2 / h:.3f}]"',
                        'f"{label}: [{x1:.3f}, {y1:.3f}, {x2:.3f}, {y2:.3f}]"')),
     {"q4_test_teacher"}),
    ("x divided by the height, y by the width", "q4_context",
     mistake(CONTEXT, ('f"{label}: [{x1 / w:.3f}, {y1 / h:.3f}, {x2 / w:.3f}, {y2 / h:.3f}]"',
                        'f"{label}: [{x1 / h:.3f}, {y1 / w:.3f}, {x2 / h:.3f}, {y2 / w:.3f}]"')),
     {"q4_test_teacher"}),
    ("few-shot examples after the query", "q4_context",
     mistake(CONTEXT, ('    messages = [{"role": "system", "content": system}]\n',
                        '    messages = [{"role": "system", "content": system},\n'
                        '                {"role": "user", "content": context_text(image)}]\n'),
              ('    messages.append({"role": "user", "content": context_text(image)})\n', "")),
     {"q4_test_teacher"}),
    ("few-shot responses sent as user messages", "q4_context",
     mistake(CONTEXT, ('{"role": "assistant", "content": example["response"]}',
                        '{"role": "user", "content": example["response"]}')),
     {"q4_test_teacher"}),
    ("roles user/assistant instead of human/gpt", "q4_records",
     mistake(RECORDS, ('{"from": "human"', '{"from": "user"'), ('{"from": "gpt"', '{"from": "assistant"')),
     {"q4_test_records"}),
    ("no <image> placeholder", "q4_records",
     mistake(RECORDS, ('("<image>\\n" if i == 0 else "") + question', "question")),
     {"q4_test_records"}),
    ("<image> in every human turn", "q4_records",
     mistake(RECORDS, ('("<image>\\n" if i == 0 else "") + question', '"<image>\\n" + question')),
     {"q4_test_records"}),
    ("parse_qa keeps the Question:/Answer: prefixes", "q4_records",
     mistake(RECORDS, ('question = block[len("Question:"):].strip()', "question = block"),
              ('pairs.append([question, block[len("Answer:"):].strip()])', "pairs.append([question, block])")),
     {"q4_test_records"}),
    ("stage 1 leaves the LLM trainable", "q4_stages",
     mistake(STAGES, ('{1: {"projector"}, 2:', '{1: {"projector", "llm"}, 2:')), {"q4_test_stages"}),
    ("stage 2 unfreezes the vision encoder too", "q4_stages",
     mistake(STAGES, ('2: {"projector", "llm"}}', '2: {"vision", "projector", "llm"}}')), {"q4_test_stages"}),
    ("stage 2 relies on stage 1 having frozen the vision encoder", "q4_stages",
     mistake(STAGES, ("            module.requires_grad_(name in trainable)",
                       "            if name in trainable or stage == 1:\n"
                       "                module.requires_grad_(name in trainable)")),
     {"q4_test_stages"}),
    ("stage 2 leaves lm_head frozen", "q4_stages",
     mistake(STAGES, ("    lr = {1: 1e-3, 2: 2e-5}[stage]\n",
                       "    model.lm_head.requires_grad_(False)\n    lr = {1: 1e-3, 2: 2e-5}[stage]\n")),
     {"q4_test_stages"}),
    ("learning rates swapped", "q4_stages", mistake(STAGES, ("{1: 1e-3, 2: 2e-5}", "{1: 2e-5, 2: 1e-3}")),
     {"q4_test_stages"}),
    ("optimizer built before the groups are (un)frozen", "q4_stages",
     mistake(STAGES,
              ("    trainable = {1:",
               "    params = [p for p in model.parameters() if p.requires_grad]\n"
               "    optimizer = torch.optim.AdamW(params, lr={1: 1e-3, 2: 2e-5}[stage])\n    trainable = {1:"),
              ("    lr = {1: 1e-3, 2: 2e-5}[stage]\n"
               "    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)",
               "    return optimizer")),
     {"q4_test_stages"}),
    ("prompt not masked", "q4_labels",
     mistake(LABELS, ("labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "labels += [IGNORE_INDEX if t == image_token_id else t for t in prompt_ids] + answer_ids")),
     {"q4_test_labels"}),
    ("image tokens not masked", "q4_labels",
     mistake(LABELS, ("labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "labels += [t if t == image_token_id else IGNORE_INDEX for t in prompt_ids] + answer_ids")),
     {"q4_test_labels"}),
    ("eos not learned", "q4_labels",
     mistake(LABELS, ("labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids[:-1] + [IGNORE_INDEX]")),
     {"q4_test_labels"}),
    ("labels shifted by one by hand", "q4_labels",
     mistake(LABELS, ("    return input_ids, labels", "    return input_ids, labels[1:] + [IGNORE_INDEX]")),
     {"q4_test_labels"}),
    ("parse_qa keeps only the first line of an answer", "q4_records",
     mistake(RECORDS, ('pairs.append([question, block[len("Answer:"):].strip()])',
                        'pairs.append([question, block[len("Answer:"):].strip().splitlines()[0]])')),
     {"q4_test_records"}),
    ("few-shot examples not sent to the teacher", "q4_records",
     mistake(RECORDS, ("teacher_messages(SYSTEM_PROMPTS[kind], image, FEW_SHOT[kind])",
                        "teacher_messages(SYSTEM_PROMPTS[kind], image)")),
     {"q4_test_records"}),
    ("the conversation system prompt for every kind", "q4_records",
     mistake(RECORDS, ("teacher_messages(SYSTEM_PROMPTS[kind], image, FEW_SHOT[kind])",
                        'teacher_messages(SYSTEM_PROMPTS["conversation"], image, FEW_SHOT[kind])')),
     {"q4_test_records"}),
    ("detail instruction not from DETAIL_QUESTIONS", "q4_records",
     mistake(RECORDS, ('random.Random(image["id"]).choice(DETAIL_QUESTIONS)', '"Describe this image."')),
     {"q4_test_records"}),
    ("parameter_counts counts only trainable parameters", "q4_stages",
     mistake(STAGES, ("for module in modules for p in module.parameters())",
                       "for module in modules for p in module.parameters() if p.requires_grad)")),
     {"q4_test_stages"}),
    ("optimizer over all parameters, frozen ones included", "q4_stages",
     mistake(STAGES, ("torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)",
                       "torch.optim.AdamW(model.parameters(), lr=lr)")),
     {"q4_test_stages"}),
    ("Adam instead of AdamW", "q4_stages",
     mistake(STAGES, ("torch.optim.AdamW(", "torch.optim.Adam(")), {"q4_test_stages"}),
    ("prompt and answer tokenized together, the boundary counted apart", "q4_labels",
     mistake(LABELS, ("""        pieces = prompt.split("<image>")
        prompt_ids = tokenize(pieces[0])
        for piece in pieces[1:]:
            prompt_ids += [image_token_id] * num_image_tokens + tokenize(piece)
        answer_ids = tokenize(" " + turns[i + 1]["value"]) + [eos_id]
        input_ids += prompt_ids + answer_ids
        labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids
""", """        pieces = (prompt + " " + turns[i + 1]["value"]).split("<image>")
        turn_ids = tokenize(pieces[0])
        for piece in pieces[1:]:
            turn_ids += [image_token_id] * num_image_tokens + tokenize(piece)
        n_prompt = len(tokenize(prompt.replace("<image>", ""))) + num_image_tokens * prompt.count("<image>")
        input_ids += turn_ids + [eos_id]
        labels += [IGNORE_INDEX] * n_prompt + turn_ids[n_prompt:] + [eos_id]
""")),
     {"q4_test_labels"}),
    ("build_example returns tensors", "q4_labels",
     mistake(LABELS, ("    return input_ids, labels", "    return torch.tensor(input_ids), torch.tensor(labels)")),
     {"q4_test_labels"}),
    ("only the last answer learned", "q4_labels",
     mistake(LABELS, ("        labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids",
                       "        labels = [IGNORE_INDEX] * (len(labels) + len(prompt_ids)) + answer_ids")),
     {"q4_test_labels"}),
    # Caught only by the generated inputs (hidden/q4.py, "generated inputs"): `===` inside a line,
    # an answer with spaces around it.
    ("parse_qa splits at every ===, not only at separator lines", "q4_records",
     mistake(RECORDS, ('re.split(r"^===[ \\t]*$", response, flags=re.MULTILINE)', 'response.split("===")')),
     {"q4_test_records"}),
    ("build_example strips each answer before tokenizing it", "q4_labels",
     mistake(LABELS, ('tokenize(" " + turns[i + 1]["value"])', 'tokenize(" " + turns[i + 1]["value"].strip())')),
     {"q4_test_labels"}),
]
