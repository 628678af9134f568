"""Driving JupyterLab 4 from Playwright the way a learner does: open, Run All, edit a cell.

Every selector is scoped to the notebook on screen: JupyterLab keeps other open notebooks in
the page, hidden.
"""

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# The status bar says "Python 3 (ipykernel) | Idle" only once the kernel is connected (the
# toolbar's indicator is idle from the start), and a Run All before that runs nothing.
KERNEL_READY = "[...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => /[|] Idle/.test(e.textContent))"


def open_notebook(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token={token}&reset")  # reset: no tabs of an earlier test
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
    page.wait_for_function(KERNEL_READY, timeout=120_000, polling=500)


# The highest execution count on screen ("[7]:"), and whether any cell is still queued ("[*]:").
PROMPTS = """() => {
  const texts = [...document.querySelectorAll('""" + PANEL + """ .jp-InputPrompt')].map(e => e.textContent);
  const counts = texts.map(t => parseInt(t.replace(/[^0-9]/g, ''))).filter(n => !isNaN(n));
  return {last: Math.max(0, ...counts), running: texts.some(t => t.includes('*'))};
}"""


def run_all(page) -> None:
    """Run → Run All Cells, then wait until it has finished (it stops at the first error)."""
    before = page.evaluate(PROMPTS)["last"]
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    try:
        page.wait_for_function(f"(() => {{ const p = ({PROMPTS})(); return p.last > {before} && !p.running; }})()",
                               timeout=300_000, polling=500)
    except Exception as err:
        raise AssertionError(f"Run All did not finish: prompts {page.evaluate(PROMPTS)}, "
                             f"before {before}; outputs {output_texts(page)}") from err


def replace_cell_source(page, index: int, source: str) -> None:
    """Select all of cell `index`'s text and type `source` in its place, as pasted text (no
    auto-indent of typed newlines)."""
    editor = page.locator(f"{PANEL} .jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)
    page.keyboard.press("Escape")


def output_texts(page) -> list:
    # textContent: JupyterLab skips rendering cells off screen, and innerText is empty for those
    return page.locator(f"{PANEL} .jp-OutputArea-output").all_text_contents()
