"""The docs hold together: every relative link in README.md and docs/ reaches a file of the
repository, and every #anchor a heading of that file; the counts they give are the repository's;
the README stays a short front page.

Run: pytest tests/integration/test_docs.py
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
README_LINES = 120


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)  # a "# comment" in a code block is no heading
    return {slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):  # http:, mailto: — not the repository's
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_reaches_a_file_and_heading(page):
    assert broken_links(page) == []


def test_the_readme_is_a_short_front_page_and_indexes_every_doc():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < README_LINES
    linked = {target.partition("#")[0] for target in LINK.findall(readme)}
    assert {f"docs/{page.name}" for page in PAGES[1:]} <= linked


def test_the_counts_the_docs_give_are_the_repositorys():
    """Counts in prose go stale unless a test reads them back."""
    import attacks

    from vlmkit.course import load_course
    from vlmkit.grading.authoring.answer_banks import wrong_answers

    banks = {q.id: len(wrong_answers(q.id)) for a in load_course().values() for q in a.questions}
    checkpoint = (ROOT / "docs" / "checkpoint.md").read_text()
    assert f"lists {sum(banks.values())} realistic wrong answers\n({banks['capstone']} of them for the capstone)" \
        in checkpoint
    hostile = len(attacks.attacks(0, "127.0.0.1", ROOT))
    assert f"- {hostile} hostile submissions gain nothing" in (ROOT / "docs" / "maintainer-guide.md").read_text()


def test_the_link_checker_finds_a_missing_file_and_heading(tmp_path):
    page = tmp_path / "a.md"
    page.write_text("# A title\n\n[ok](#a-title) [gone](b.md) [no heading](#nowhere) [web](https://x.org)\n")
    assert broken_links(page) == ["b.md", "#nowhere"]
    assert slug("`make test-fast`") == "make-test-fast" and slug("1. Open the notebooks") == "1-open-the-notebooks"
