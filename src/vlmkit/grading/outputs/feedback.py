"""Learner feedback pages (GRADES/feedback/<student>/<assignment>/<notebook>.html), read like nbgrader's.

    page = feedback_html(result, graded_notebook, written={"q1_written": {"score": 0.5,
                         "max_score": 1.0, "key_points": "..."}})

A page shows the notebook that was graded: its Markdown rendered (math as MathML, which a
browser draws with no script and no network), the learner's code, the trusted test cells with
their hidden checks removed, the kit's verdicts under each test cell, and for each written
answer the learner's text with its manual score, or "awaiting grading" — the key points from
solutions/ only once it is graded; beside any answer cell, the comment the instructor typed in
formgrader (Markdown and math, rendered and escaped like the learner's). Never shown: anything
the learner's code printed or raised (it may carry anything), hidden-test source, raw HTML from
any Markdown (the learner writes the Markdown cells too: it is escaped). The page is capped in
size whatever the learner wrote. `vlmkit feedback GRADES` renders the pages again after manual
grading (grading/outputs/rebuild.py).
"""

import html
import re
import unicodedata
import xml.etree.ElementTree as ElementTree

from vlmkit.grading.checking.points import points_text
from vlmkit.grading.nbgrader_io.autograded import verdict_text
from vlmkit.grading.nbgrader_io.cells import HIDDEN_TESTS, nbgrader_meta
from vlmkit.grading.nbgrader_io.written import is_written

MAX_FEEDBACK_BYTES = 2 << 20
MAX_TEXT = 5000  # characters of one cell's source shown in feedback
MAX_MATH = 1000  # characters of one formula converted to MathML (longer ones are shown as TeX)
AWAITING = "awaiting grading"

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
# What latex2mathml writes for ordinary formulas; anything else (\href, raw tags inside \text)
# makes the formula fall back to its escaped TeX.
MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
               "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
               "mstyle", "mpadded", "mphantom", "menclose", "mfenced", "merror", "semantics",
               "annotation"}
MATHML_ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
                     "width", "height", "depth", "linethickness", "accent", "accentunder", "movablelimits",
                     "columnalign", "columnspacing", "rowspacing", "displaystyle", "scriptlevel",
                     "minsize", "maxsize", "symmetric", "largeop", "notation", "open", "close",
                     "separators", "form", "columnlines", "rowlines", "frame", "framespacing", "align",
                     "encoding"}

# latex2mathml keeps TeX's escapes inside \text{…} (`log\_scale` would show its backslash).
TEXT_ESCAPE = re.compile(r"\\([_%$&#{} ])")
# Browsers draw MathML Core, which ignores mathvariant beyond "normal": `\mathcal L` would show a
# plain L. These variants become the Unicode letters MathJax draws (ℒ), as latex2mathml already
# does for `\mathcal{L}`; a letter Unicode lacks keeps the attribute.
VARIANT_LETTERS = {"script": "SCRIPT", "bold-script": "BOLD SCRIPT", "double-struck": "DOUBLE-STRUCK",
                   "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR", "bold": "BOLD"}

STYLE = """body{font-family:system-ui,sans-serif;max-width:62em;margin:2em auto;padding:0 1em;
line-height:1.5;color:#222}h1.title{border-bottom:2px solid #ccc;padding-bottom:.3em}
.md table{border-collapse:collapse}.md th,.md td{border:1px solid #ccc;padding:.2em .6em}
.md code,.code{background:#f5f5f5}pre{white-space:pre-wrap;margin:0}
.code{border-left:3px solid #999;padding:.5em;margin:.6em 0}
.test{border-left-color:#36c}.verdict{padding:.4em .6em;margin:0 0 1em;background:#eef5ee}
.lost+.verdict{background:#fbeeee}.written{border:1px solid #bbb;border-radius:4px;padding:.6em;
margin:.6em 0 1.2em}.score{font-weight:bold}.awaiting{color:#a60}.keys{background:#f3f3fa;
padding:.4em .8em;margin-top:.6em}.note{color:#a60}.comment{background:#fff8e1;padding:.4em .8em;
margin:.4em 0 1em}"""


def math_html(tex: str, display: bool = False) -> str:
    """MathML for one formula; its escaped TeX when it cannot be converted or holds more than
    plain MathML (learners write formulas too)."""
    from latex2mathml.converter import convert

    fallback = f"<code class='tex'>{html.escape(tex)}</code>"
    if len(tex) > MAX_MATH:
        return fallback
    try:
        mathml = convert(tex, display="block" if display else "inline")
        if "<!" in mathml:  # a DOCTYPE or comment smuggled in through \text{}: never parse it
            return fallback
        tree = ElementTree.fromstring(mathml)
    except Exception:  # latex2mathml raises many types on bad TeX; the parser on broken markup
        return fallback
    for element in tree.iter():
        if element.tag.removeprefix(MATHML_NS) not in MATHML_TAGS \
                or not set(element.attrib) <= MATHML_ATTRIBUTES:
            return fallback
        element.tag = element.tag.removeprefix(MATHML_NS)
        if element.tag == "mtext" and element.text:
            element.text = TEXT_ESCAPE.sub(r"\1", element.text)
        if element.tag == "mi" and element.get("mathvariant") in VARIANT_LETTERS and element.text:
            letters = _variant_letters(element.text, VARIANT_LETTERS[element.get("mathvariant")])
            if letters:
                element.text = letters
                del element.attrib["mathvariant"]
    tree.set("xmlns", MATHML_NS.strip("{}"))
    return ElementTree.tostring(tree, encoding="unicode")


def _variant_letters(text: str, variant: str):
    """`text` in Unicode's mathematical letters of `variant` ("SCRIPT"), or None if one is missing."""
    def letter(ch):
        case = "CAPITAL" if ch.isupper() else "SMALL"
        for name in (f"MATHEMATICAL {variant} {case} {ch.upper()}", f"{variant} {case} {ch.upper()}"):
            try:
                return unicodedata.lookup(name)
            except KeyError:
                continue
        raise KeyError(ch)

    try:
        return "".join(letter(ch) for ch in text) if text.isascii() and text.isalpha() else None
    except KeyError:
        return None


def _markdown_renderer():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    # html=False escapes raw HTML; images are off so that a page loads nothing from anywhere.
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
    return renderer.use(dollarmath_plugin, renderer=lambda tex, options: math_html(tex, options["display_mode"]))


def markdown_html(text: str) -> str:
    """Markdown with $…$ and $$…$$ math to HTML, with any HTML in the text escaped."""
    return _markdown_renderer().render(text)


def _source(cell) -> str:
    source = cell.get("source", "")
    return ("".join(source) if isinstance(source, list) else str(source))[:MAX_TEXT]


def _comment_html(cell, comments: dict) -> str:
    """The instructor's comment on this cell in formgrader, rendered; "" when there is none."""
    text = comments.get(nbgrader_meta(cell).get("grade_id"))
    if not text:
        return ""
    return f"<div class='comment md'><p><b>Your grader's comment</b></p>{markdown_html(text[:MAX_TEXT])}</div>"


def _written_html(cell, written: dict, comments: dict) -> str:
    meta = nbgrader_meta(cell)
    grade = written.get(meta.get("grade_id"), {})
    score, max_score = grade.get("score"), grade.get("max_score", meta.get("points", 0))
    status = (f"<span class='score'>{points_text(score, float(max_score))}</span>" if score is not None else
              f"<span class='awaiting'>{AWAITING} ({points_text(float(max_score))})</span>")
    parts = [f"<div class='written'><p>Your written answer — {status}</p>", _comment_html(cell, comments),
             f"<div class='md'>{markdown_html(_source(cell))}</div>"]
    if score is not None and grade.get("key_points"):
        parts.append(f"<div class='keys md'><p><b>Key points</b></p>{markdown_html(grade['key_points'])}</div>")
    return "".join(parts) + "</div>"


def _cell_html(cell, cells_by_id: dict, written: dict, comments: dict) -> str:
    if cell.get("cell_type") == "markdown":
        if is_written(cell):
            return _written_html(cell, written, comments)
        return f"<div class='md'>{markdown_html(_source(cell))}</div>" + _comment_html(cell, comments)
    grade_id = nbgrader_meta(cell).get("grade_id")
    source = HIDDEN_TESTS.sub("# (hidden tests ran here)\n", _source(cell))
    if grade_id not in cells_by_id:
        return f"<pre class='code'>{html.escape(source)}</pre>" + _comment_html(cell, comments)
    verdict = cells_by_id[grade_id]
    lost = " lost" if verdict["score"] < verdict["max_score"] else ""
    return (f"<pre class='code test{lost}'>{html.escape(source)}</pre>"
            f"<pre class='verdict'>{html.escape(verdict_text(verdict))}</pre>" + _comment_html(cell, comments))


def feedback_html(result: dict, notebook: dict, written: dict = None, comments: dict = None) -> str:
    """A learner's feedback page. result: QuestionResult.to_json(); notebook: the notebook that was
    graded (trusted cells and the learner's answers); written: grade_id → {"score" (None until
    graded), "max_score", "key_points"} of its written answers (None: none graded yet);
    comments: grade_id → the instructor's comment on that cell (written.manual_marks)."""
    written, comments = written or {}, comments or {}
    cells_by_id = {c["grade_id"]: c for c in result.get("cells", [])}
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(result['notebook'])}"
             f"</title><style>{STYLE}</style></head><body>",
             f"<h1 class='title'>{html.escape(result['notebook'])}: "
             f"{points_text(result['score'], result['max_score'], 'autograded')}</h1>"]
    parts += [f"<p class='note'>{html.escape(n)}</p>" for n in result.get("notes", [])]
    budget = MAX_FEEDBACK_BYTES - len("".join(parts).encode()) - 200
    for cell in notebook.get("cells", []):
        part = _cell_html(cell, cells_by_id, written, comments)
        budget -= len(part.encode())
        if budget < 0:
            parts.append("<p class='note'>The rest of the notebook is left out: the page reached its size limit.</p>")
            break
        parts.append(part)
    return "\n".join(parts) + "\n</body></html>\n"
