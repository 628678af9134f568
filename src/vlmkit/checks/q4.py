"""Q4 — LLaVA: instruction data from a text-only teacher, the two-stage schedule, label masking.

Probes and visible checks. Conventions (shared reference-conventions, Q4): boxes written as
`label: [x1, y1, x2, y2]` normalised to 0–1 (3 decimals); records
`{"id", "image", "conversations": [{"from": "human", "value": "<image>\\n..."}, {"from": "gpt", ...}]}`;
stage 1 trains the projector only (lr 1e-3), stage 2 the projector and the LLM (lr 2e-5), the
vision encoder never; labels are -100 on the system prompt, the user turns and the image tokens.
The tiny LLaVA (tiny_llava.py) is transformers' LlavaForConditionalGeneration from tiny configs.
"""

import random
import re

import numpy as np

from vlmkit.checks.common import call, call_each, each_caught
from vlmkit.checks.tiny_llava import GROUPS, IGNORE_INDEX, build_llava, counts, stage_record
from vlmkit.grading.checking import compare
from vlmkit.grading.checking.judges import HINT, diagnosed
from vlmkit.grading.checking.registry import Check

KINDS = ("conversation", "detail", "complex_reasoning")


def tokenize(text):
    """The probes' character-level tokenizer: ids 3..252 (0 pad, 1 bos, 2 eos are special)."""
    return [3 + ord(c) % 250 for c in text]


def tokenize_merging(text):
    """A tokenizer whose ids depend on context, as BPE's do: a character followed by a space is one
    token. Tokenizing two pieces separately then differs from tokenizing them joined."""
    ids, i = [], 0
    while i < len(text):
        if i + 1 < len(text) and text[i + 1] == " " and text[i] != " ":
            ids.append(3 + (ord(text[i]) * 7 + 1) % 250)
            i += 2
        else:
            ids.append(3 + ord(text[i]) % 250)
            i += 1
    return ids


TOKENIZERS = {"char": tokenize, "merging": tokenize_merging}


# ---------------------------------------------------------------- probes (learner's kernel)

def stages(case, configure_stage):
    """The stages of case["order"] (default 1 then 2) in turn on one tiny LLaVA, one training step
    each, then the last of them on a fresh model."""
    order = case.get("order", [1, 2])
    model = build_llava(case["model"], case["seed"])
    out = {}
    for stage in order:
        out[str(stage)] = stage_record(model, configure_stage(model, stage), case["seed"] + stage)
    fresh = build_llava(case["model"], case["seed"])
    out[f"{order[-1]} on a fresh model"] = stage_record(fresh, configure_stage(fresh, order[-1]),
                                                         case["seed"] + 10)
    return out


def share(case, parameter_counts, projector_share):
    """Counts on a meta-device model; with case["freeze"] (a seed), about half of the parameters are
    frozen first: the counts are of all parameters, trainable or not."""
    model = build_llava(case["model"], device="meta")
    if "freeze" in case:
        rng = random.Random(case["freeze"])
        for p in model.parameters():
            if rng.random() < 0.5:
                p.requires_grad_(False)
    return {"counts": parameter_counts(model), "share": projector_share(model)}


def records(case, generate_records):
    """generate_records with a stand-in teacher that returns the case's responses in turn."""
    seen = []

    def teacher(messages):
        seen.append(messages)
        return case["responses"][len(seen) - 1]

    return {"records": generate_records(case["image"], teacher), "messages": seen}


def labels(case, build_example):
    tokenizer = TOKENIZERS[case.get("tokenizer", "char")]
    ids, lab = build_example(case["record"], tokenizer, case["image_token_id"], case["num_image_tokens"],
                             case["eos_id"], case["system"])
    lists_of_ints = all(type(x) is list and all(type(t) is int for t in x) for x in (ids, lab))
    return {"input_ids": list(ids), "labels": list(lab), "lists_of_ints": lists_of_ints}


def _each(probe):
    """The probe run once per entry of case["calls"] (one check, many seeded inputs)."""
    return lambda case, *functions: [probe(c, *functions) for c in case["calls"]]


PROBES = {"call": call, "call_each": call_each, "stages": stages, "share": share, "records": records,
          "labels": labels, "records_each": _each(records), "labels_each": _each(labels),
          "call_each_caught": each_caught(call), "records_each_caught": each_caught(records),
          "labels_each_caught": each_caught(labels)}

# The functions whose spec changes an argument in place (grading/checking/contracts.py: every other change
# of an argument fails its check): "Freeze/unfreeze the groups" sets requires_grad on `model`.
UPDATES_IN_PLACE = {"configure_stage": ("model",)}


# ---------------------------------------------------------------- judges and references (grader's process)

def teacher_messages_match(expected_context):
    """Judge for teacher_messages(system, image, few_shot): system, few-shot pairs, then the query."""

    def judge(case, output):
        system, image, few_shot = case["args"]
        if not isinstance(output, list) or not all(isinstance(m, dict) and set(m) == {"role", "content"}
                                                   for m in output):
            return "teacher_messages should return a list of {'role': ..., 'content': ...} dicts (those two keys)"
        expected = [{"role": "system", "content": system}]
        for shot in few_shot:
            expected += [{"role": "user", "content": shot["context"]},
                         {"role": "assistant", "content": shot["response"]}]
        expected.append({"role": "user", "content": expected_context(image)})
        if [m.get("role") for m in output] != [m["role"] for m in expected]:
            return ("message roles: expected the system prompt, then a user/assistant pair per few-shot example, "
                    "then the user query")
        for i, (mine, ref) in enumerate(zip(output, expected)):
            if mine.get("content") != ref["content"]:
                return f"message {i} ({ref['role']}): wrong content" + (
                    " — the last user message must be context_text(image)" if i == len(expected) - 1 else "")
        return None

    return judge


def context_matches(expected_context):
    """Judge for context_text(image), with a hint for the usual normalisation mistakes."""

    def judge(case, output):
        image = case["args"][0]
        expected = expected_context(image)
        if not isinstance(output, str):
            return f"context_text should return a str, got {type(output).__name__}"
        if output == expected:
            return None
        mine, ref = output.split("\n"), expected.split("\n")
        if len(mine) != len(ref):
            return "context_text: wrong number of lines (the captions, a blank line, then one line per box)"
        for i, (a, b) in enumerate(zip(mine, ref)):
            if a != b:
                hint = ""
                numbers = [float(x) for x in _numbers(a)]
                if numbers and max(numbers) > 1:
                    hint = " — coordinates must be normalised to 0–1"
                elif ":" in b:
                    hint = " — write `label: [x1, y1, x2, y2]`, x divided by the width, y by the height, 3 decimals"
                return f"context_text, line {i + 1} is wrong{hint}"
        return "context_text: wrong text"

    return judge


def _numbers(line):
    return re.findall(r"-?\d+(?:\.\d+)?", line.split(":", 1)[1]) if ":" in line else []


def qa_pairs_match(expected):
    """Judge for parse_qa; expected(case) -> [[question, answer], ...]. A failure says which part
    differs (questions or answers) and the usual mistake: prefixes kept, surrounding whitespace
    kept, an answer cut to its first line."""
    return diagnosed(lambda case, output: compare.equal(output, expected(case), "parse_qa"),
                     lambda case, output: _qa_mistake(output, expected(case)))


def _qa_mistake(output, want):
    got = [list(pair) for pair in output]
    if len(got) != len(want) or any(len(pair) != 2 for pair in got):
        return ""  # compare.equal already named the length
    if got == want:
        return f"{HINT}each pair should be a list [question, answer]"
    texts = [t for pair in got for t in pair if isinstance(t, str)]
    if any(t.lstrip().startswith(("Question:", "Answer:")) for t in texts):
        return f"{HINT}remove the 'Question:' and 'Answer:' prefixes"
    if len(texts) == 2 * len(got) and [[t.strip() for t in pair] for pair in got] == want:
        return f"{HINT}strip the whitespace around each question and answer"
    for part, i in (("question", 0), ("answer", 1)):
        wrong = [(pair[i], ref[i]) for pair, ref in zip(got, want) if pair[i] != ref[i]]
        if wrong and i == 1 and all(isinstance(a, str) and "\n" in b and b.startswith(a) for a, b in wrong):
            return f"{HINT}an answer can span several lines: keep all of them, up to the next ==="
        if wrong:
            return f"{HINT}wrong {part}s ({len(wrong)} of {len(got)} pairs)"
    return ""


def records_match(expected_pairs, messages_ok=None, detail_questions=None):
    """Judge for generate_records: LLaVA's JSON format, the teacher's Q&A in order, a text-only teacher.

    expected_pairs(case) -> {kind: [[question, answer], ...]}; for "detail" only the answer is
    fixed, and the markdown is silent on stripping it: the teacher's text with its surrounding
    whitespace kept or removed (in whole or in part) both pass. The question is any instruction,
    or one of detail_questions when given. messages_ok(case, kind, messages), when given, says
    whether the teacher was sent the right messages for that kind."""

    def judge(case, output):
        recs, messages = output.get("records"), output.get("messages")
        if not isinstance(recs, list) or len(recs) != len(KINDS):
            return f"generate_records should return a list of {len(KINDS)} records, one per kind in KINDS"
        if len(messages) != len(KINDS) or not all(
                isinstance(ms, list) and all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in ms)
                for ms in messages):
            return ("the teacher should be called once per kind, with a list of text messages "
                    "(dicts with 'role' and 'content')")
        if messages_ok is not None:
            for kind, sent in zip(KINDS, messages):
                if not messages_ok(case, kind, sent):
                    return (f"the teacher's messages for the {kind} record should be "
                            f"teacher_messages(SYSTEM_PROMPTS[kind], image, FEW_SHOT[kind])")
        expected = expected_pairs(case)
        image = case["image"]
        for kind, rec in zip(KINDS, recs):
            where = f"{kind} record"
            if not isinstance(rec, dict) or set(rec) != {"id", "image", "conversations"}:
                return f"{where}: a record has exactly the keys 'id', 'image' and 'conversations'"
            message = compare.first(compare.equal(rec["id"], image["id"], f"{where}, 'id'"),
                                    compare.equal(rec["image"], image["file"], f"{where}, 'image' (the file name)"))
            if message:
                return message
            turns = rec["conversations"]
            if not isinstance(turns, list) or not all(isinstance(t, dict) and set(t) == {"from", "value"}
                                                      for t in turns):
                return f"{where}: conversations is a list of {{'from': ..., 'value': ...}} dicts"
            if not turns or [t["from"] for t in turns] != ["human", "gpt"] * (len(turns) // 2):
                return f"{where}: the 'from' of the turns must alternate 'human', 'gpt', starting with 'human'"
            values = [t["value"] for t in turns]
            if not values[0].startswith("<image>\n") or sum(v.count("<image>") for v in values) != 1:
                return f"{where}: the first human turn must start with '<image>\\n', and no other turn has <image>"
            pairs = [[values[i], values[i + 1]] for i in range(0, len(values), 2)]
            pairs[0][0] = pairs[0][0][len("<image>\n"):]
            want = expected[kind]
            if kind == "detail":
                answer, raw = pairs[0][1] if len(pairs) == 1 else None, want[0][1]
                if (len(pairs) != 1 or not pairs[0][0].strip() or not isinstance(answer, str)
                        or answer.strip() != raw.strip() or answer not in raw):
                    return f"{where}: one human instruction, then the teacher's description as the gpt turn"
                if detail_questions is not None and pairs[0][0] not in detail_questions:
                    return f"{where}: the human instruction should be one of DETAIL_QUESTIONS"
            elif pairs != want:
                return f"{where}: the questions and answers should be the teacher's (parsed with parse_qa), in order"
        return None

    return judge


def labels_match(expected):
    """Judge for build_example; expected(case) -> (input_ids, labels). Says which kind of position is wrong."""

    def judge(case, output):
        ids, lab = output.get("input_ids"), output.get("labels")
        want_ids, want_lab = expected(case)
        if output.get("lists_of_ints", True) is not True:
            return "build_example should return two lists of Python ints (not tensors or arrays)"
        if len(ids) != len(lab):
            return "input_ids and labels must have the same length"
        if ids != want_ids:
            return ("input_ids: wrong sequence — follow the template piece by piece and put num_image_tokens "
                    "image ids where <image> is")
        if lab != want_lab and lab[:-1] == want_lab[1:]:
            return "labels look shifted by one position — do not shift them, the model does it itself"
        image = [i for i, t in enumerate(want_ids) if t == case["image_token_id"]]
        eos = [i for i, t in enumerate(want_ids) if t == case["eos_id"] and want_lab[i] != IGNORE_INDEX]
        prompt = [i for i, t in enumerate(want_lab) if t == IGNORE_INDEX and i not in image]
        answer = [i for i, t in enumerate(want_lab) if t != IGNORE_INDEX and i not in eos]
        for positions, target, what in ((image, "ignored", "image-token positions"),
                                        (prompt, "ignored", "prompt positions (system, USER: ..., ASSISTANT:)"),
                                        (answer, "learned", "answer positions"),
                                        (eos, "learned", "end-of-answer (eos) positions")):
            if any(lab[i] != want_lab[i] for i in positions):
                rule = f"{IGNORE_INDEX}" if target == "ignored" else "the token id itself"
                return f"labels: wrong at {what} — they must be {rule}"
        return None

    return judge


def stages_match(case, output):
    model = build_llava(case["model"], device="meta")
    total = counts(model, trainable_only=False)
    trains = {1: ("projector",), 2: ("projector", "llm")}
    lr = {1: 1e-3, 2: 2e-5}
    order = case.get("order", [1, 2])
    keys = [(str(stage), stage) for stage in order] + [(f"{order[-1]} on a fresh model", order[-1])]
    for key, stage in keys:
        after = f" (after stage {order[0]})" if key == str(order[1]) else ""
        want = {g: total[g] if g in trains[stage] else 0 for g in GROUPS}
        got = output[key]["trainable"]
        for g in GROUPS:
            if got.get(g) != want[g]:
                state = "trainable" if want[g] else "frozen"
                return f"stage {key}{after}: in stage {stage} the whole {g} group must be {state}"
        if got.get("other", 0):
            return f"stage {key}: parameters outside the three groups are trainable"
        if "adamw" in output[key] and output[key]["adamw"] is not True:
            return f"stage {key}: configure_stage should return a torch.optim.AdamW"
        if "optimized" in output[key]:
            held = output[key]["optimized"]
            if any(held.get(g) != want[g] for g in GROUPS) or held.get("other", 0):
                return (f"stage {key}{after}: the optimizer should hold every trainable parameter "
                        "and no frozen one")
        if "lr" in output[key]:
            lrs = output[key]["lr"]
            if not lrs or not np.allclose(lrs, lr[stage], rtol=1e-6, atol=0):
                return f"stage {key}: the optimizer's learning rate is not LLaVA-1.5's for stage {stage}"
            changed = output[key]["changed"]
            for g in GROUPS:
                if changed.get(g) != (g in trains[stage]):
                    verb = "did not change" if g in trains[stage] else "changed"
                    return f"stage {key}: after one optimizer step the {g} weights {verb}"
    return None


def share_matches(case, output):
    model = build_llava(case["model"], device="meta")
    want = counts(model, trainable_only=False)
    got = output.get("counts")
    if not isinstance(got, dict):
        return "parameter_counts should return a dict with 'vision', 'projector' and 'llm'"
    for g in GROUPS:
        message = compare.equal(got.get(g), want[g], f"parameter_counts['{g}']")
        if message:
            return message + (" — count every parameter, trainable or not" if "freeze" in case else "")
    return compare.close(output.get("share"), want["projector"] / sum(want.values()), "projector_share",
                         atol=0, rtol=1e-6)


# ---------------------------------------------------------------- visible cases

IMAGE = {"id": "000000000042", "file": "000000000042.jpg", "width": 640, "height": 480,
         "captions": ["A dog sits next to a red bicycle.", "A bike and a dog on a sidewalk."],
         "objects": [["dog", [64, 240, 192, 456]], ["bicycle", [320, 120, 598, 432]]]}
CONTEXT = ("A dog sits next to a red bicycle.\nA bike and a dog on a sidewalk.\n\n"
           "dog: [0.100, 0.500, 0.300, 0.950]\nbicycle: [0.500, 0.250, 0.934, 0.900]")
RESPONSES = ["Question:\nWhat animal is there?\n===\nAnswer:\nA dog.\n===\n"
             "Question:\nWhat else?\n===\nAnswer:\nA bicycle.",
             "A dog sits on the left of a red bicycle.",
             "Question:\nCould the dog ride the bicycle?\n===\nAnswer:\nNo, dogs do not ride bicycles."]
PAIRS = {"conversation": [["What animal is there?", "A dog."], ["What else?", "A bicycle."]],
         "detail": [[None, "A dog sits on the left of a red bicycle."]],
         "complex_reasoning": [["Could the dog ride the bicycle?", "No, dogs do not ride bicycles."]]}
TINY = {"vision": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
                   "image_size": 32, "patch_size": 8},
        "text": {"hidden_size": 48, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "vocab_size": 300},
        "llava": {"image_token_id": 299}}
LLAVA_15_7B = {"vision": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                          "num_attention_heads": 16, "image_size": 336, "patch_size": 14},
               "text": {"hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
                        "num_attention_heads": 32, "vocab_size": 32064},
               "llava": {"image_token_id": 32000}}
RECORD = {"id": "1", "image": "1.jpg", "conversations": [{"from": "human", "value": "<image>\nWhat?"},
                                                          {"from": "gpt", "value": "A dog."}]}
LABEL_IDS = [86, 49, 35, 88, 86, 72, 85, 61, 35, 299, 299, 299, 13, 90, 107, 100, 119, 66, 35, 68, 86, 86, 76, 86,
             87, 68, 81, 87, 61, 35, 68, 35, 103, 114, 106, 49, 2]
LABEL_TARGETS = [IGNORE_INDEX] * 29 + [35, 68, 35, 103, 114, 106, 49, 2]

CHECKS = [
    Check("q4.context.example", "call", context_matches(lambda image: CONTEXT), {"args": [IMAGE]}),
    Check("q4.messages.example", "call", teacher_messages_match(lambda image: CONTEXT),
          {"args": ["You are an AI visual assistant.", IMAGE,
                    [{"context": "A cat.\n\ncat: [0.000, 0.000, 1.000, 1.000]",
                      "response": "A cat fills the image."}]]}),
    Check("q4.parse.example", "call", qa_pairs_match(lambda case: PAIRS["conversation"]), {"args": [RESPONSES[0]]}),
    Check("q4.records.example", "records", records_match(lambda case: PAIRS),
          {"image": IMAGE, "responses": RESPONSES}),
    Check("q4.stages.tiny", "stages", stages_match, {"model": TINY, "seed": 0}),
    Check("q4.share.llava15_7b", "share", share_matches, {"model": LLAVA_15_7B}),
    Check("q4.labels.example", "labels", labels_match(lambda case: (LABEL_IDS, LABEL_TARGETS)),
          {"record": RECORD, "image_token_id": 299, "num_image_tokens": 3, "eos_id": 2, "system": "S."}),
]
