"""The class report in Chromium, offline: every figure decodes and shows, nothing is fetched.

The page is a synthetic class's report (tests/synthetic_class.py), loaded as the file's content
with every non-loopback request blocked (conftest's `page` fails the test if one was tried).
"""

from synthetic_class import write_class, wrong

from vlmkit.grading.outputs.class_report import write_class_report

LEARNERS = {"ada": {"checkpoint": {}, "capstone": {}}, "bo": {"checkpoint": {"q5": wrong("q5")}, "capstone": {}}}


def test_the_class_report_shows_its_figures_offline(page, tmp_path):
    write_class(tmp_path, LEARNERS)
    page.set_content(write_class_report(tmp_path)["html"].read_text(), wait_until="load")
    figures = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.width])")
    assert len(figures) == 7 and all(done and natural > 100 and shown > 100 for done, natural, shown in figures)
    assert page.locator("h2", has_text="Misconceptions").is_visible()
    assert page.locator("h3", has_text="Pipeline metrics").first.is_visible()
