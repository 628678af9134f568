"""The class report's page: one self-contained HTML file with its figures embedded as base64 PNG.

    html = render_page(figures, attention, anonymised)   # figures: class_report.summarise(...)

Drawn with matplotlib's Agg renderer (a Figure without pyplot: no display, no global state); no
script, stylesheet, font or image is fetched from anywhere, so the page opens offline. Every text
is escaped: check messages are the kit's own words, student ids come from folder names.
"""

import base64
import html
import io

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from vlmkit.course import SCORE_BANDS
from vlmkit.grading.checking.points import points_text
from vlmkit.grading.outputs.class_metrics import SHORT_OF_KIT

BAND_COLOURS = ["#2e7d32", "#9ccc65", "#ffb300", "#e53935"]  # SCORE_BANDS order: best first
MISCONCEPTIONS_DRAWN = 15
LABEL_WIDTH = 60  # characters of a mistake's label on the figure (the list below has it whole)
ATTENTION_LISTED = 200
STYLE = ("body{font-family:sans-serif;max-width:64em;margin:auto;padding:0 1em}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;"
         "text-align:left;vertical-align:top}td.n{text-align:right}.note{color:#555}img{max-width:100%}")


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return f"<img alt='figure' src='data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}'>"


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def _table(header: list, rows: list) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td class='n'>{c}</td>" if isinstance(c, (int, float)) else
                                    f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _days(days) -> str:
    return "Day " + "/".join(map(str, days))


def score_figure(score_counts: dict, max_points: float, bands=None) -> str:
    """Bars of learners per total score; given the score table's bands, coloured by band."""
    fig = Figure(figsize=(7, 2.8))
    ax = fig.add_subplot()
    scores = [float(s) for s in score_counts]
    colours = ["#607d8b"] * len(scores)
    if bands:
        colours = [BAND_COLOURS[next(i for i, (low, _) in enumerate(bands) if s >= low)] for s in scores]
        ax.legend(handles=[Patch(color=c, label=text) for c, (_, text) in zip(BAND_COLOURS, bands)],
                  fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.bar(scores, list(score_counts.values()), width=max_points / 40, color=colours)
    ax.set_xlim(-0.2, max_points + 0.2)
    ax.set_xlabel("total score")
    ax.set_ylabel("learners")
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def hbar_figure(labels: list, shares: list, xlabel: str, colour="#c62828") -> str:
    fig = Figure(figsize=(7, 0.3 * len(labels) + 0.8))
    ax = fig.add_subplot()
    ax.barh(range(len(labels)), [100 * s for s in shares], color=colour)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    return _png(fig)


def checkpoint_section(summary: dict) -> str:
    n = summary["learners"] or 1
    rows = [(b["band"], b["learners"], _pct(b["learners"] / n)) for b in summary["bands"]]
    return (f"<h2>Checkpoint scores</h2><p>{summary['learners']} learners graded"
            + (f", {summary['grading_unfinished']} whose grading did not finish" if summary["grading_unfinished"]
               else "") + ".</p>" + score_figure(summary["score_counts"], summary["max_points"], SCORE_BANDS)
            + _table(["band (score table)", "learners", "share"], rows))


def questions_section(questions: list) -> str:
    rows = [(q["question"], q["topic"], _days(q["days"]), q["learners"], round(q["mean"], 3),
             _pct(q["full_marks"]), _pct(q["not_attempted"]), q["timeout"], q["crashed"], q["broken"], q["failed"])
            for q in questions]
    return ("<h2>Per question</h2>"
            + hbar_figure([q["question"] for q in questions], [q["full_marks"] for q in questions],
                          "% of learners at full marks", colour="#2e7d32")
            + _table(["question", "topic", "days", "learners", "mean", "full marks", "not attempted",
                      "timeouts", "crashes", "broken", "grading failed"], rows)
            + "<p class='note'>Not attempted: no notebook, or no check passed and most still hit the "
              "unchanged stub (NotImplementedError).</p>")


def misconceptions_section(mistakes: list, ranked: list) -> str:
    """The re-teaching list (class_report.diagnoses: one entry per mistake, naming the checks it
    failed), then the checks no learner failed (from the per-check ranking)."""
    drawn = mistakes[:MISCONCEPTIONS_DRAWN]
    lines = "".join(f"<li><b>{_pct(m['share'])}</b> ({m['learners']} of {m['attempted']}) "
                    f"{html.escape(m['diagnosis'])} &mdash; {m['question']}, {_days(m['days'])}: "
                    + ", ".join(f"<code>{html.escape(check)}</code>" for check in m["checks"]) + "</li>"
                    for m in mistakes)
    never = [m["check"] for m in ranked if not m["failed"]]
    return ("<h2>Misconceptions: mistakes ranked by learners who made them</h2>"
            "<p class='note'>Among the learners who attempted the question; one entry per mistake the "
            "checks diagnosed (or per failure message where a check names no mistake), with the checks "
            "it failed. The top of the list is the re-teaching list.</p>"
            + (hbar_figure([_short(f"{m['question']}: {m['diagnosis']}") for m in drawn],
                           [m["share"] for m in drawn], "% of learners making it") if drawn else "")
            + f"<ol>{lines}</ol>"
            + (f"<details><summary>{len(never)} checks no learner failed</summary><p>"
               + html.escape(", ".join(never)) + "</p></details>" if never else ""))


def _short(label: str, width: int = LABEL_WIDTH) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def days_section(plan: list) -> str:
    rows = [(f"Day {d['day']}", d["topic"], ", ".join(d["questions"]) or "(no question)",
             f"{d['sent_back']} of {d['learners']}", _pct(d["share"]), ", ".join(d["top_checks"]))
            for d in plan]
    return ("<h2>Re-teaching plan by course day</h2>"
            "<p class='note'>Share of the class the score table sends back to each day: learners "
            "below full marks on a question of that day.</p>"
            + hbar_figure([f"Day {d['day']} {d['topic']}" for d in plan], [d["share"] for d in plan],
                          "% of learners sent back", colour="#ef6c00")
            + _table(["day", "topic", "questions", "sent back", "share", "most failed checks"], rows))


def metrics_figure(metrics: list) -> str:
    """One histogram per metric (share of the measured learners per tenth of [0, 1]), with the kit's
    own pipeline's value as a dashed line."""
    columns = min(len(metrics), 5)
    rows = -(-len(metrics) // columns)
    fig = Figure(figsize=(2.2 * columns, 1.9 * rows))
    bins = len(metrics[0]["histogram"])
    for i, m in enumerate(metrics):
        ax = fig.add_subplot(rows, columns, i + 1)
        ax.bar([(k + 0.5) / bins for k in range(bins)], [100 * c / m["learners"] for c in m["histogram"]],
               width=0.9 / bins, color="#5c6bc0")
        if m["kit"] is not None:
            ax.axvline(m["kit"], color="#d81b60", linestyle="--", linewidth=1.5, label="kit's pipeline")
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(0, 100)
        ax.set_title(m["metric"].replace("_", " "), fontsize=8)
        ax.tick_params(labelsize=7)
        if i % columns == 0:
            ax.set_ylabel("% of learners", fontsize=7)
    if metrics[0]["kit"] is not None:
        fig.axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return _png(fig)


def metrics_section(entry: dict) -> str:
    """A check's measured metrics across the class, against the kit's own pipeline."""
    metrics = entry["metrics"]
    rows = [(m["metric"], "" if m["kit"] is None else round(m["kit"], 3), m["learners"], round(m["mean"], 3),
             round(m["median"], 3), f"{m['q1']:.3f} – {m['q3']:.3f}", f"{m['min']:.3f} – {m['max']:.3f}",
             "" if m["short_of_kit"] is None else f"{m['short_of_kit']} ({_pct(m['short_of_kit'] / m['learners'])})")
            for m in metrics]
    return (f"<h3>Pipeline metrics: <code>{html.escape(entry['check'])}</code></h3>"
            f"<p>{entry['measured']} of {entry['learners']} learners' pipelines ran on these test samples and "
            "were measured (a stub, an error or a malformed output gives no numbers). Dashed red line: the "
            "kit's own pipeline on the same samples.</p>"
            + (metrics_figure(metrics) if metrics else "")
            + _table(["metric", "kit's pipeline", "learners", "mean", "median", "middle half", "range",
                      f"more than {SHORT_OF_KIT:g} below the kit"], rows))


def assignment_section(name: str, summary: dict, ranked: list, measured: list) -> str:
    checks = [m for m in ranked if m["assignment"] == name]
    rows = [(m["check"], f"{m['attempted'] - m['failed']} of {m['attempted']}", _pct(1 - m["share"]),
             "; ".join(f"{message} ({count})" for message, count in m["messages"])) for m in checks]
    return (f"<h2>{html.escape(summary['title'])} across the class</h2>"
            f"<p><b>{summary['complete']} of {summary['learners']}</b> learners completed it "
            f"(all {points_text(summary['max_points'])}).</p>"
            + score_figure(summary["score_counts"], summary["max_points"])
            + "".join(metrics_section(entry) for entry in measured if entry["assignment"] == name)
            + _table(["check", "passed", "share passing", "failures (learners)"], rows))


def written_section(written: list) -> str:
    if not written:
        return "<h2>Written answers</h2><p>No written-answer cells in the gradebook.</p>"
    rows = [(w["assignment"], w["cell"], w["points"], w["graded"], w["awaiting"]) for w in written]
    awaiting = sum(w["awaiting"] for w in written)
    return (f"<h2>Written answers</h2><p>{sum(w['graded'] for w in written)} graded, <b>{awaiting} "
            "awaiting grading</b> (formgrader).</p>"
            + _table(["assignment", "cell", "points", "graded", "awaiting"], rows))


def attention_section(attention: list) -> str:
    if not attention:
        return ""
    shown = attention[:ATTENTION_LISTED]
    more = f"<p>and {len(attention) - len(shown)} more</p>" if len(attention) > len(shown) else ""
    return ("<h2>Learners to follow up: grading unfinished, notebooks that timed out, crashed or were "
            "unreadable</h2>"
            + _table(["learner", "what"], shown) + more)


def render_page(figures: dict, attention: list, anonymised: bool) -> str:
    parts = ["<h1>Class report</h1>",
             f"<p class='note'>Generated {figures['generated_at']} from the stored grading results "
             "(no notebook was run)." + (" Learners are shown by pseudonym." if anonymised else "") + "</p>"]
    if figures["checkpoint"]:
        parts.append(checkpoint_section(figures["checkpoint"]))
    parts += [questions_section(figures["questions"]),
              misconceptions_section(figures["diagnoses"], figures["misconceptions"]), days_section(figures["days"])]
    parts += [assignment_section(name, summary, figures["misconceptions"], figures["metrics"])
              for name, summary in figures["assignments"].items()]
    parts += [written_section(figures["written_answers"]), attention_section(attention)]
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Class report</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(parts) + "</body></html>")
