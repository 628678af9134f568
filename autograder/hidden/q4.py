"""Hidden checks for Q4 (instructor-only: never shipped to learners, never imported in a kernel).

References written from LLaVA's conventions (shared reference-conventions, Q4): context text,
teacher messages, Q&A parsing, Vicuna-v1 label masking. Unseen, seeded inputs: images of many
shapes with one to five captions and objects (float pixel boxes, boxes touching the image's edges,
repeated and multi-word labels), zero to three few-shot examples, teacher responses with one to
four Q&A pairs laid out in several ways (blank lines, indentation, multi-line answers, a final
`===` or none), descriptions with surrounding whitespace, records of one to three turns with
<image> at the start, middle or end, several image-token counts, image/eos ids and system
prompts, a context-dependent tokenizer (piece by piece), both stage orders on two other tiny
LLaVAs, parameter counts with half of the parameters frozen, LLaVA-1.5-13B sizes.

Generated inputs at the end: teacher answers, images, records and labels
drawn from the formats' grammars (Hypothesis, a fixed seed), the smallest failing one named.
"""

import random
import re
import string

from hypothesis import strategies as st

from vlmkit.checks.q4 import (
    TOKENIZERS,
    context_matches,
    labels_match,
    qa_pairs_match,
    records_match,
    share_matches,
    stages_match,
    teacher_messages_match,
)
from vlmkit.checks.tiny_llava import IGNORE_INDEX
from vlmkit.grading.checking.generated import generated_calls, smallest_failing, strings
from vlmkit.grading.checking.judges import call_reference, each
from vlmkit.grading.checking.registry import Check

# ---------------------------------------------------------------- the notebook's setup constants
# Copied from the locked setup cell of q4_llava.ipynb (any drift makes the solution lose the
# records cell, which tests/checks catches).

SYSTEM_PROMPTS = {
    "conversation": "You are an AI visual assistant looking at one image, described to you by captions and "
                    "object boxes (normalised coordinates). Write a conversation between you and a person asking "
                    "about the image, answering as if you saw it. Format: Question:, ===, Answer:, ===.",
    "detail": "You are an AI visual assistant looking at one image, described to you by captions and object "
              "boxes. Describe the image in rich detail, as if you saw it, in one paragraph.",
    "complex_reasoning": "You are an AI visual assistant looking at one image, described to you by captions and "
                         "object boxes. Ask one question about the image that needs careful reasoning, and "
                         "answer it step by step. Format: Question:, ===, Answer:.",
}
FEW_SHOT = {
    "conversation": [{"context": "A man rides a horse on a beach.\n\nperson: [0.400, 0.200, 0.550, 0.600]\n"
                                 "horse: [0.350, 0.350, 0.650, 0.900]",
                      "response": "Question:\nWhat is the man doing?\n===\nAnswer:\nHe is riding a horse along "
                                  "the beach.\n===\nQuestion:\nWhere is the horse?\n===\nAnswer:\nIn the middle "
                                  "of the image, under the man."}],
    "detail": [{"context": "A plate with a sandwich.\n\nsandwich: [0.200, 0.300, 0.800, 0.700]",
                "response": "A sandwich fills the centre of a plate, seen from above."}],
    "complex_reasoning": [{"context": "A dog holds a frisbee in a park.\n\ndog: [0.100, 0.400, 0.400, 0.900]\n"
                                      "frisbee: [0.300, 0.400, 0.400, 0.500]",
                           "response": "Question:\nWhat has the dog probably just done?\n===\nAnswer:\nThe frisbee "
                                       "is at the dog's mouth, so it has most likely just caught it."}],
}
DETAIL_QUESTIONS = ["Describe the following image in detail.", "Give an elaborate description of the image.",
                    "What do you see in this picture? Describe it thoroughly.",
                    "Explain the visual content of the image in great detail."]
VICUNA_SYSTEM = ("A chat between a curious human and an artificial intelligence assistant. "
                 "The assistant gives helpful, detailed, and polite answers to the human's questions.")


# ---------------------------------------------------------------- references

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


def ref_build_example(record, tokenize, image_token_id, num_image_tokens, eos_id, system):
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


# ---------------------------------------------------------------- seeded inputs

LABELS = ["person", "dog", "potted plant", "traffic light", "bus", "cup", "hair drier", "teddy bear", "car"]
CAPTIONS = ["Two people wait at a bus stop while a bus arrives.", "A small dog sleeps on a couch.",
            "A kitchen with a cup on the table.", "Cars stop at a red traffic light.",
            "A child hugs a teddy bear in a bedroom.", "A busy street, seen from above.",
            "Someone dries their hair in front of a mirror."]
SHAPES = [(1000, 500), (427, 640), (640, 480), (333, 333), (1024, 768), (500, 375), (612, 612)]


def _coordinate(rng, size):
    """A float pixel coordinate (COCO style) whose normalised value is not within rounding of a tie."""
    while True:
        v = round(rng.uniform(0, size), 2)
        frac = (v / size * 1000) % 1
        if abs(frac - 0.5) > 1e-6:
            return v


def _image(seed):
    rng = random.Random(seed)
    w, h = SHAPES[seed % len(SHAPES)]
    objects = []
    for k in range(rng.randint(1, 5)):
        xs = sorted([_coordinate(rng, w), _coordinate(rng, w)])
        ys = sorted([_coordinate(rng, h), _coordinate(rng, h)])
        if k == 0 and seed % 2:  # touching the image's edges
            xs, ys = [0, w], [0.0, float(h)]
        objects.append([rng.choice(LABELS), [xs[0], ys[0], xs[1], ys[1]]])
    if seed % 3 == 0 and len(objects) > 1:  # a repeated label
        objects[1][0] = objects[0][0]
    return {"id": f"{seed:012d}", "file": f"train2017/{seed:012d}.jpg", "width": w, "height": h,
            "captions": rng.sample(CAPTIONS, rng.randint(1, 5)), "objects": objects}


IMAGES = [_image(seed) for seed in range(1, 8)]

QUESTIONS = ["How many people are waiting?", "What is arriving?", "What colour is the car?",
             "Is the dog asleep?", "Where is the cup?", "Why might the light be red?",
             "What could happen next?"]
ANSWERS = ["Two people.", "A bus, on the right.", "It is red.\nIt looks freshly washed.",
           "Yes, it is curled up and its eyes are closed.", "On the table, to the left of the plate.",
           "Cars are stopping, so pedestrians can cross.\n\nThat keeps the crossing safe."]


def _response(seed, n_pairs=None):
    """A teacher response in the documented format, laid out in one of several ways."""
    rng = random.Random(seed)
    n = n_pairs or rng.randint(1, 4)
    pad = ["", "  ", "\n"][seed % 3]  # around the question and after the answer
    sep = ["\n===\n", "\n\n===\n\n", "\n===\n\n"][seed % 3]
    blocks = []
    for q, a in zip(rng.sample(QUESTIONS, n), [rng.choice(ANSWERS) for _ in range(n)]):
        blocks += [f"Question:\n{pad}{q}{pad}", f"Answer:\n{a}{pad}"]
    end = ["", "\n", "\n===\n"][(seed // 3) % 3]
    return ["", "\n"][seed % 2] + sep.join(blocks) + end


RESPONSES = [_response(seed) for seed in range(8)] + [
    "Question:\nHow many people are waiting?\n===\nAnswer:\nTwo people.\nBoth stand near the curb.\n===\n\n"
    "Question:\n  What is arriving?  \n===\nAnswer:\nA bus, on the right.\n===\n"]
DESCRIPTIONS = ["  The bus pulls in on the right while two people wait on the left.\n",
                "A small dog sleeps on a grey couch.", "\nA quiet kitchen: one cup on a wooden table.  "]


def _records_case(seed):
    return {"image": IMAGES[seed], "responses": [_response(10 + seed), DESCRIPTIONS[seed % len(DESCRIPTIONS)],
                                                 _response(20 + seed, n_pairs=1)]}


def _expected_pairs(case):
    conversation, detail, reasoning = case["responses"]
    return {"conversation": ref_parse_qa(conversation), "detail": [[None, detail]],
            "complex_reasoning": ref_parse_qa(reasoning)}


def _messages_ok(case, kind, sent):
    """The kind's system prompt and few-shot examples were sent. Judged on the contents only, so
    that a mistake in context_text or teacher_messages (graded in their own cell) costs nothing here."""
    contents = [m["content"] for m in sent]
    wanted = [SYSTEM_PROMPTS[kind]] + [ex[key] for ex in FEW_SHOT[kind] for key in ("context", "response")]
    return len(sent) == len(wanted) + 1 and all(contents.count(c) >= wanted.count(c) for c in wanted)


def _record(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 3)
    question = rng.choice(QUESTIONS)
    first = [f"<image>\n{question}", f"{question}\n<image>", f"Look at <image> and answer: {question}"][seed % 3]
    turns = [first] + rng.sample(QUESTIONS, n - 1)
    conversations = []
    for q in turns:
        conversations += [{"from": "human", "value": q}, {"from": "gpt", "value": rng.choice(ANSWERS)}]
    return {"id": str(seed), "image": f"{seed}.jpg", "conversations": conversations}


def _label_case(seed, tokenizer="char"):
    rng = random.Random(100 + seed)
    return {"record": _record(seed), "tokenizer": tokenizer, "image_token_id": rng.choice([299, 257, 32000]),
            "num_image_tokens": rng.choice([1, 3, 5, 16]), "eos_id": rng.choice([2, 0, 260]),
            "system": rng.choice([VICUNA_SYSTEM, "A chat.", "S."])}


def _expected_labels(case):
    return ref_build_example(case["record"], TOKENIZERS[case.get("tokenizer", "char")], case["image_token_id"],
                             case["num_image_tokens"], case["eos_id"], case["system"])


MULTITURN = {"id": "9", "image": "9.jpg", "conversations": [
    {"from": "human", "value": "<image>\nWhat colour is the bus?"}, {"from": "gpt", "value": "It is red."},
    {"from": "human", "value": "Is it moving?"}, {"from": "gpt", "value": "No, it is parked."},
    {"from": "human", "value": "Why?"}, {"from": "gpt", "value": "Passengers are boarding."}]}
OTHER_TINY = {"vision": {"hidden_size": 24, "intermediate_size": 40, "num_hidden_layers": 3, "num_attention_heads": 3,
                         "image_size": 24, "patch_size": 6},
              "text": {"hidden_size": 40, "intermediate_size": 72, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "num_key_value_heads": 1, "vocab_size": 260},
              "llava": {"image_token_id": 257, "vision_feature_layer": [-3, -1], "projector_hidden_act": "gelu"}}
THIRD_TINY = {"vision": {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                         "image_size": 16, "patch_size": 4},
              "text": {"hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 3, "num_attention_heads": 4,
                       "num_key_value_heads": 4, "vocab_size": 280},
              "llava": {"image_token_id": 270}}
LLAVA_15_13B = {"vision": {"hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 24,
                           "num_attention_heads": 16, "image_size": 336, "patch_size": 14},
                "text": {"hidden_size": 5120, "intermediate_size": 13824, "num_hidden_layers": 40,
                         "num_attention_heads": 40, "vocab_size": 32064},
                "llava": {"image_token_id": 32000}}

MESSAGE_CALLS = [{"args": ["You are a careful visual assistant.", IMAGES[0], FEW_SHOT["conversation"] +
                           FEW_SHOT["detail"]]},
                 {"args": ["SYS", IMAGES[1], []]},
                 {"args": [SYSTEM_PROMPTS["detail"], IMAGES[2], FEW_SHOT["complex_reasoning"]]},
                 {"args": ["Be brief.", IMAGES[3], FEW_SHOT["conversation"] + FEW_SHOT["detail"] +
                           FEW_SHOT["complex_reasoning"]]}]

CHECKS = [
    Check("q4.hidden.context", "call_each", each(context_matches(ref_context_text), "context_text"),
          {"calls": [{"args": [image]} for image in IMAGES]}),
    Check("q4.hidden.messages", "call_each", each(teacher_messages_match(ref_context_text), "teacher_messages"),
          {"calls": MESSAGE_CALLS}),
    Check("q4.hidden.parse_messy", "call_each",
          each(qa_pairs_match(lambda call: call_reference(ref_parse_qa, call)), "parse_qa"),
          {"calls": [{"args": [r]} for r in RESPONSES]}),
    Check("q4.hidden.records", "records_each",
          each(records_match(_expected_pairs, _messages_ok, DETAIL_QUESTIONS), "generate_records"),
          {"calls": [_records_case(seed) for seed in range(3)]}),
    Check("q4.hidden.stages_other_tiny", "stages", stages_match, {"model": OTHER_TINY, "seed": 3}),
    Check("q4.hidden.stages_2_then_1", "stages", stages_match, {"model": THIRD_TINY, "seed": 5, "order": [2, 1]}),
    Check("q4.hidden.share_llava15_13b", "share", share_matches, {"model": LLAVA_15_13B, "freeze": 1}),
    Check("q4.hidden.share_tiny", "share", share_matches, {"model": OTHER_TINY, "freeze": 2}),
    Check("q4.hidden.labels", "labels_each", each(labels_match(_expected_labels), "build_example"),
          {"calls": [_label_case(seed) for seed in range(6)] + [
              {"record": MULTITURN, "tokenizer": "char", "image_token_id": 299, "num_image_tokens": 4,
               "eos_id": 2, "system": "A chat."}]}),
    Check("q4.hidden.labels_piece_by_piece", "labels_each", each(labels_match(_expected_labels), "build_example"),
          {"calls": [_label_case(seed, "merging") for seed in (6, 7)] + [
              {"record": MULTITURN, "tokenizer": "merging", "image_token_id": 299, "num_image_tokens": 2,
               "eos_id": 2, "system": VICUNA_SYSTEM}]}),
]


# ---------------------------------------------------------------- generated inputs (the formats' grammars)
# Drawn by Hypothesis in the grader (vlmkit.grading.checking.generated), simplest first; a failure quotes the
# smallest failing input. Each grammar stays where every reading the markdown allows gives one answer:
# separator lines are `===` alone, each ending with a newline (a response may end with one: a separator
# followed by nothing); `===` inside a line is text; a response with no complete Question/Answer pair
# (empty, a paragraph, a question left unanswered) gives no pair. generate_records gets at least one
# pair per response (what it should do with none is not specified). Text has no parentheses (the
# message quotes the input inside its "(on k of n …)" aside).

WORD = strings(string.ascii_letters, 1, 8)
MARK = st.sampled_from(["", ",", ".", "?", "!", ":", ";", "'s", "2", "_3", "=", " ==", " ===", "-", "/"])
LINE = st.tuples(st.sampled_from(["", " ", "  "]),
                 st.lists(st.tuples(WORD, MARK).map("".join), min_size=1, max_size=6).map(" ".join),
                 st.sampled_from(["", " "])).map("".join)
TEXT = st.lists(st.one_of(LINE, LINE, st.just("")), min_size=1, max_size=3).map("\n".join)
HEAD = {key: st.sampled_from(["\n", " ", "\n  ", "\n\n"]).map(lambda gap, key=key: key + gap)
        for key in ("Question:", "Answer:")}
SEPARATOR = st.sampled_from(["\n===\n", "\n\n===\n", "\n===\n\n", "\n \n===\n"])


@st.composite
def teacher_answers(draw, min_pairs=0):
    """A teacher's answer in the Question:/===/Answer: format: 0 to 4 pairs, perhaps a question left
    without its answer; with neither, empty, blank or a plain paragraph."""
    blocks = [draw(HEAD[key]) + draw(TEXT) for _ in range(draw(st.integers(min_pairs, 4)))
              for key in ("Question:", "Answer:")]
    if draw(st.booleans()):
        blocks.append(draw(HEAD["Question:"]) + draw(TEXT))
    if not blocks:
        return draw(st.one_of(st.sampled_from(["", "\n", "  \n"]), TEXT))
    body = blocks[0] + "".join(draw(SEPARATOR) + block for block in blocks[1:])
    return draw(st.sampled_from(["", "\n", " \n"])) + body + draw(st.sampled_from(["", "\n", "\n===\n", "\n===\n\n"]))


LABEL = strings(string.ascii_letters + string.digits + "_ ", 1, 14)
FILES = st.sampled_from(["1.jpg", "train2017/000000000139.jpg", "images/a b.png"])  # shared by several records


@st.composite
def images(draw):
    """COCO-style annotations: any size, 1 to 4 captions, 1 to 5 objects whose labels hold digits,
    underscores or spaces; pixel coordinates in hundredths, none within rounding of a tie."""
    w, h = draw(st.integers(1, 4000)), draw(st.integers(1, 4000))

    def coordinate(size):
        return st.integers(0, size * 100).map(lambda v: v / 100).filter(
            lambda v: abs((v / size * 1000) % 1 - 0.5) > 1e-6)

    objects = draw(st.lists(st.tuples(LABEL, coordinate(w), coordinate(h), coordinate(w), coordinate(h)),
                            min_size=1, max_size=5))
    return {"id": draw(strings(string.digits, 1, 12)), "file": draw(FILES),
            "width": w, "height": h, "captions": draw(st.lists(LINE, min_size=1, max_size=4)),
            "objects": [[label, [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]]
                        for label, x1, y1, x2, y2 in objects]}


SHOTS = st.lists(st.fixed_dictionaries({"context": TEXT, "response": teacher_answers()}), max_size=3)


@st.composite
def records(draw):
    """LLaVA records of 1 to 3 turns, <image> once in the first human turn (start, middle or end);
    text with surrounding spaces, empty answers; image paths shared between records."""
    turns = []
    for i in range(draw(st.integers(1, 3))):
        question = draw(TEXT)
        if i == 0:
            cut = draw(st.integers(0, len(question)))
            question = draw(st.sampled_from(["<image>\n" + question, question[:cut] + "<image>" + question[cut:]]))
        turns += [{"from": "human", "value": question}, {"from": "gpt", "value": draw(st.one_of(TEXT, st.just("")))}]
    return {"id": draw(strings(string.digits, 1, 6)), "image": draw(FILES),
            "conversations": turns}


LABEL_CASES = st.fixed_dictionaries({
    "record": records(), "tokenizer": st.sampled_from(sorted(TOKENIZERS)),
    "image_token_id": st.sampled_from([299, 257, 32000]), "num_image_tokens": st.integers(1, 16),
    "eos_id": st.sampled_from([2, 0, 260]), "system": st.one_of(st.sampled_from([VICUNA_SYSTEM, "", "S."]), LINE)})
RECORDS_CASES = st.fixed_dictionaries({"image": images(), "responses": st.tuples(
    teacher_answers(min_pairs=1), st.tuples(st.sampled_from(["", " ", "\n"]), LINE, TEXT, st.sampled_from(["", "\n"]))
    .map("".join), teacher_answers(min_pairs=1)).map(list)})


def _args(*strategies):
    return st.tuples(*strategies).map(lambda args: {"args": list(args)})


CHECKS += [
    Check("q4.hidden.parse_generated", "call_each_caught",
          smallest_failing(qa_pairs_match(lambda call: call_reference(ref_parse_qa, call)), "parse_qa"),
          {"calls": generated_calls("q4.parse_qa", _args(teacher_answers()), 60)}),
    Check("q4.hidden.context_generated", "call_each_caught",
          smallest_failing(context_matches(ref_context_text), "context_text"),
          {"calls": generated_calls("q4.context_text", _args(images()), 30)}),
    Check("q4.hidden.messages_generated", "call_each_caught",
          smallest_failing(teacher_messages_match(ref_context_text), "teacher_messages"),
          {"calls": generated_calls("q4.teacher_messages", _args(st.one_of(LINE, st.just("")), images(), SHOTS), 20)}),
    Check("q4.hidden.records_generated", "records_each_caught",
          smallest_failing(records_match(_expected_pairs, _messages_ok, DETAIL_QUESTIONS), "generate_records"),
          {"calls": generated_calls("q4.generate_records", RECORDS_CASES, 15)}),
    Check("q4.hidden.labels_generated", "labels_each_caught",
          smallest_failing(labels_match(_expected_labels), "build_example"),
          {"calls": generated_calls("q4.build_example", LABEL_CASES, 30)}),
]
