"""Points as text: "1 point", "0.5 points", "3/6 autograded points", wherever a score is shown."""


def fmt_points(points: float) -> str:
    return f"{points:.3f}".rstrip("0").rstrip(".")  # 3 places: q3's cells are eighths


def points_text(score: float, max_score: float = None, kind: str = "") -> str:
    """"1 point", "0.5 points", "1/1 point", "3/6 autograded points": the one place points get
    their noun, which agrees with the last number."""
    numbers = fmt_points(score) if max_score is None else f"{fmt_points(score)}/{fmt_points(max_score)}"
    last = fmt_points(score if max_score is None else max_score)
    return f"{numbers} {kind + ' ' if kind else ''}{'point' if last == '1' else 'points'}"
