"""Hidden checks for Q4 (instructor-only: never shipped to learners, never imported in a kernel).

References written from LLaVA's conventions (shared reference-conventions, Q4): context text,
teacher messages, Q&A parsing, Vicuna-v1 label masking. Unseen inputs: a non-square image with
three objects and one caption, two few-shot examples, a messy multi-line teacher response, a
multi-turn record, another tiny LLaVA (other sizes, two feature layers), LLaVA-1.5-13B sizes.
"""

import re

from vlmkit.checks.q4 import (
    IGNORE_INDEX,
    context_matches,
    labels_match,
    records_match,
    share_matches,
    stages_match,
    teacher_messages_match,
    tokenize,
)
from vlmkit.grading.judges import match_reference
from vlmkit.grading.registry import Check


def ref_context_text(image):
    w, h = image["width"], image["height"]
    boxes = [f"{label}: [{x1 / w:.3f}, {y1 / h:.3f}, {x2 / w:.3f}, {y2 / h:.3f}]"
             for label, (x1, y1, x2, y2) in image["objects"]]
    return "\n".join(image["captions"]) + "\n\n" + "\n".join(boxes)


def ref_parse_qa(response):
    pairs, question = [], None
    for block in re.split(r"^===[ \t]*$", response, flags=re.MULTILINE):
        block = block.strip()
        if block.startswith("Question:"):
            question = block[len("Question:"):].strip()
        elif block.startswith("Answer:") and question is not None:
            pairs.append([question, block[len("Answer:"):].strip()])
            question = None
    return pairs


def ref_build_example(record, image_token_id, num_image_tokens, eos_id, system):
    ids, labels = [], []
    turns = record["conversations"]
    for i in range(0, len(turns), 2):
        prompt = (system + " " if i == 0 else "") + "USER: " + turns[i]["value"] + " ASSISTANT:"
        pieces = prompt.split("<image>")
        prompt_ids = tokenize(pieces[0])
        for piece in pieces[1:]:
            prompt_ids += [image_token_id] * num_image_tokens + tokenize(piece)
        answer_ids = tokenize(" " + turns[i + 1]["value"]) + [eos_id]
        ids += prompt_ids + answer_ids
        labels += [IGNORE_INDEX] * len(prompt_ids) + answer_ids
    return ids, labels


IMAGE = {"id": "7", "file": "images/7.png", "width": 1000, "height": 500,
         "captions": ["Two people wait at a bus stop while a bus arrives."],
         "objects": [["person", [100, 200, 180, 480]], ["person", [205, 190, 270, 490]],
                     ["bus", [500, 50, 999, 450]]]}
FEW_SHOT = [{"context": "A kite.\n\nkite: [0.100, 0.100, 0.200, 0.200]",
             "response": "Question:\nWhat?\n===\nAnswer:\nA kite."},
            {"context": "Two cows.\n\ncow: [0.000, 0.500, 0.500, 1.000]\ncow: [0.500, 0.500, 1.000, 1.000]",
             "response": "Two cows graze side by side."}]
MESSY = ("Question:\nHow many people are waiting?\n===\nAnswer:\nTwo people.\nBoth stand near the curb.\n===\n\n"
         "Question:\n  What is arriving?  \n===\nAnswer:\nA bus, on the right.\n===\n")
RESPONSES = [MESSY, "  The bus pulls in on the right while two people wait on the left.\n",
             "Question:\nWhy might the people be standing there?\n===\nAnswer:\n"
             "They are probably waiting to board the bus."]
RECORD = {"id": "9", "image": "9.jpg", "conversations": [
    {"from": "human", "value": "<image>\nWhat colour is the bus?"}, {"from": "gpt", "value": "It is red."},
    {"from": "human", "value": "Is it moving?"}, {"from": "gpt", "value": "No, it is parked."},
    {"from": "human", "value": "Why?"}, {"from": "gpt", "value": "Passengers are boarding."}]}
OTHER_TINY = {"vision": {"hidden_size": 24, "intermediate_size": 40, "num_hidden_layers": 3, "num_attention_heads": 3,
                         "image_size": 24, "patch_size": 6},
              "text": {"hidden_size": 40, "intermediate_size": 72, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "num_key_value_heads": 1, "vocab_size": 260},
              "llava": {"image_token_id": 257, "vision_feature_layer": [-3, -1], "projector_hidden_act": "gelu"}}
LLAVA_15_13B = {"vision": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                           "num_attention_heads": 16, "image_size": 336, "patch_size": 14},
                "text": {"hidden_size": 5120, "intermediate_size": 13824, "num_hidden_layers": 40,
                         "num_attention_heads": 40, "vocab_size": 32064},
                "llava": {"image_token_id": 32000}}


def _label_case(record, system, num_image_tokens):
    return {"record": record, "image_token_id": 299, "num_image_tokens": num_image_tokens, "eos_id": 2,
            "system": system}


def _expected_labels(case):
    return ref_build_example(case["record"], case["image_token_id"], case["num_image_tokens"], case["eos_id"],
                             case["system"])


CHECKS = [
    Check("q4.hidden.context", "call", context_matches(ref_context_text), {"args": [IMAGE]}),
    Check("q4.hidden.messages", "call", teacher_messages_match(ref_context_text),
          {"args": ["You are a careful visual assistant.", IMAGE, FEW_SHOT]}),
    Check("q4.hidden.messages_zero_shot", "call", teacher_messages_match(ref_context_text),
          {"args": ["SYS", IMAGE, []]}),
    Check("q4.hidden.parse_messy", "call", match_reference(ref_parse_qa, "parse_qa on a messier response"),
          {"args": [MESSY]}),
    Check("q4.hidden.records", "records",
          records_match(lambda case: {"conversation": ref_parse_qa(case["responses"][0]),
                                      "detail": [[None, case["responses"][1].strip()]],
                                      "complex_reasoning": ref_parse_qa(case["responses"][2])}),
          {"image": IMAGE, "responses": RESPONSES}),
    Check("q4.hidden.stages_other_tiny", "stages", stages_match, {"model": OTHER_TINY, "seed": 3}),
    Check("q4.hidden.share_llava15_13b", "share", share_matches, {"model": LLAVA_15_13B}),
    Check("q4.hidden.share_tiny", "share", share_matches, {"model": OTHER_TINY}),
    Check("q4.hidden.labels_multiturn", "labels", labels_match(_expected_labels),
          _label_case(RECORD, "A chat.", 4)),
    Check("q4.hidden.labels_one_image_token", "labels", labels_match(_expected_labels),
          _label_case({"id": "x", "image": "x.jpg", "conversations": [
              {"from": "human", "value": "Describe <image> briefly."}, {"from": "gpt", "value": "Grass."}]}, "SYS", 1)),
]
