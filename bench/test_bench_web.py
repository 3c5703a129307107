"""The web view on the 60-employee home-care district (hjemmepleje_nord, 4 weeks, 944 shifts),
in headless Chromium as a planner uses it:

    python -m pytest bench/test_bench_web.py --benchmark-only -q

- page load: from navigation until the grid, findings and coverage are drawn;
- edit to findings: from choosing a shift in a cell (one that breaks the 11 h rest) until its
  finding is on screen; the edit is undone between rounds, so every round is the same edit.
"""

from __future__ import annotations

import pytest

from tests.test_web_e2e import CHROMIUM, CHROMIUM_ARGS, NORD, NORD_ROSTER, _open, _serve

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser.new_page(viewport={"width": 1600, "height": 1000})
        browser.close()


def test_page_load(benchmark, page, tmp_path):
    with _serve(NORD, NORD_ROSTER, tmp_path) as url:
        benchmark.pedantic(lambda: _open(page, url), rounds=10, warmup_rounds=1)
        benchmark.extra_info["employees"] = page.locator("#grid tbody tr[data-emp]").count()


def test_edit_to_findings(benchmark, page, tmp_path):
    with _serve(NORD, NORD_ROSTER, tmp_path) as url:
        _open(page, url)
        employee, after = page.evaluate("""() => {
            for (const td of document.querySelectorAll('#grid td.cell')) {
              const next = td.nextElementSibling;
              if (next && td.textContent.startsWith('aft') && !next.textContent)
                return [td.dataset.emp, next.dataset.date];
            }}""")
        page.click(f'td[data-emp="{employee}"][data-date="{after}"]')

        def edit():
            page.click('#cell-menu [data-value="shift:tidlig-n1"]')  # 07:00, 7.5 h after the aften ends
            page.wait_for_selector('#findings li[data-rule="rest.daily"]')

        def undo():
            if not page.is_disabled("#undo"):
                page.click("#undo")
                page.wait_for_selector('#findings li[data-rule="rest.daily"]', state="detached")
            page.click(f'td[data-emp="{employee}"][data-date="{after}"]')
            return (), {}

        benchmark.pedantic(edit, setup=undo, rounds=10)
