"""``run.py report``: the HTML report and its Markdown twin of folders the real ``run`` and
``compare`` wrote, opened in a headless browser (Debian's chromium driven by Playwright, no
browser download) to check that the figures load and the table is there."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from analysis import labels
from analysis_tests import conftest as shared
from sim.cli import main
from sim.parameters import groups

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# the folders the analysis tests make once per session, by the real commands
folders, run_folder, sweep_folder, tiny = shared.folders, shared.run_folder, shared.sweep_folder, shared.tiny


@pytest.fixture(scope="module")
def comparison_report(folders, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "free.html"
    assert main(["report", str(folders), "--out", str(out)]) == 0
    return out


def test_the_html_is_one_self_contained_file(comparison_report):
    page = comparison_report.read_text(encoding="utf-8")
    sources = re.findall(r"""\b(?:src|href)=['"]([^'"]*)""", page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)  # nothing fetched
    assert "<script" not in page and "<link" not in page


def test_the_report_says_the_question_what_changes_and_the_manifest(comparison_report):
    page = comparison_report.read_text(encoding="utf-8")
    for heading in ("The question", "What the scenarios change", "Key outcomes", "Figures", "Manifest"):
        assert f"<h2>{heading}</h2>" in page
    changes = page.split("<h2>What the scenarios change</h2>")[1].split("<h2>")[0]
    assert "policy.pricing.regime" in changes and "free" in changes and "cost_plus_cap" in changes
    assert changes.count("<tr") == 2  # the header and the one lever free.yaml changes
    regime = next(p for g in groups() for p in g.parameters if p.path == "policy.pricing.regime")
    assert all(f"<th>{column}</th>" in changes for column in ("Unit", "Role", "Clause"))
    assert f"<td>{regime.role}</td>" in changes and html.escape(regime.clause) in changes  # as describe shows it
    assert "base: seeds" in page and "version: mesa" in page


def test_the_markdown_twin_links_figures_written_beside_it(comparison_report):
    twin = comparison_report.with_suffix(".md")
    text = twin.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^]]*\]\(([^)]+)\)", text)
    assert len(links) == 4  # key outcomes, yearly bars, revenue split, paired differences
    for link in links:
        assert (twin.parent / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| Metric (unit)" in text and "Trade value (10⁴ CNY per year)" in text


def test_a_run_report_shows_what_the_scenario_changes_from_the_one_it_extends(run_folder, tmp_path):
    out = tmp_path / "run.html"
    assert main(["report", str(run_folder), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    changes = page.split("<h2>What the scenarios change</h2>")[1].split("<h2>")[0]
    assert "population.users.count" in changes and "calendar.end" in changes  # base.yaml against small.yaml
    assert "timeline open_regional_exchange" in changes  # an event base.yaml removes
    assert "for quick tries" in page  # the description base.yaml inherits from small.yaml
    assert len(re.findall(r"<img ", page)) == 3  # no paired differences for a single scenario


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (`make test` installs it)")
def test_in_a_browser_every_figure_loads_and_the_key_table_is_there(comparison_report, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(comparison_report.as_uri())
            page.wait_for_load_state("load")
            widths = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
            rows = page.locator("table#key-outcomes tbody tr").count()
            heading = page.locator("h1").inner_text()
            page.screenshot(path=tmp_path / "report.png", full_page=True)
        finally:
            browser.close()
    assert len(widths) == 4 and min(widths) > 300
    assert rows == 11 * 2 * 2  # the key metrics × 2 scenarios × 2 years
    assert heading == "free against base"


def test_report_refuses_a_sweep_folder_a_wrong_suffix_and_chinese_without_a_font(sweep_folder, folders, tmp_path,
                                                                                 monkeypatch, capsys):
    assert main(["report", str(sweep_folder), "--out", str(tmp_path / "r.html")]) == 2
    assert "a report is made of the folder of run or compare" in capsys.readouterr().err
    assert main(["report", str(folders), "--out", str(tmp_path / "r.pdf")]) == 2
    assert "give an .html file" in capsys.readouterr().err
    monkeypatch.setattr(labels, "cjk_font", lambda: None)
    assert main(["report", str(folders), "--out", str(tmp_path / "r.html"), "--lang", "zh"]) == 2
    assert "apt-get install fonts-noto-cjk" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
