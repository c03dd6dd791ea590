"""The dashboard: controls generated from the parameter tree, edits saved as a scenario that
``extends`` its parent, background runs that can be cancelled, and the page itself in a real
browser (Debian's chromium driven by Playwright) started by ``python run.py dashboard``."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard import levers as lv
from dashboard import text
from dashboard.batch import Batch
from sim import Scenario, catalog
from sim.cli import main as cli
from sim.scenario import Exchange, ScenarioError

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LATER_EVENTS = ("compliance_regime", "cultivation", "authorize_health_education", "data_asset_registration",
                "open_regional_exchange", "declaration_commitment", "authorize_credit")


def tiny_scenario(folder: Path) -> Path:
    """The small scenario cut to 1 000 users and 2023 (events after 2023 dropped)."""
    removed = "".join(f"  - {{id: {e}, remove: true}}\n" for e in LATER_EVENTS)
    path = folder / "tiny.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'small.yaml'}\ncalendar: {{end: 2023-12}}\n"
                    f"population:\n  users: {{count: 1000}}\ntimeline:\n{removed}", encoding="utf-8")
    return path


# ---- controls from the parameter tree ------------------------------------------------------------


def test_every_lever_of_every_scenario_is_a_control_with_range_clause_and_both_languages():
    for path in catalog.scenario_files():
        scenario = Scenario.load(path)
        levers = lv.levers(scenario)
        assert {"policy.pricing.regime", "policy.vouchers.rate", "regulator.audit_rate"} <= {x.path for x in levers}
        for lever in levers:
            assert text.lever_label(lever.generic, "zh") != text.lever_label(lever.generic, "en")
            assert text.section_label(lever.section, lever.generic.rsplit(".", 1)[0], "zh")
            assert lever.clause != "-" or lever.path.endswith("initial_price"), lever.path
        for exchange in scenario.exchanges:  # one control per key of a mapping
            assert f"exchanges.{exchange}.fee_rate" in {x.path for x in levers}


def test_a_lever_carries_the_schema_range_unit_and_choices():
    levers = {x.path: x for x in lv.levers(catalog.load("small"))}
    fee = levers["exchanges.pilot_platform.fee_rate"]
    info = Exchange.model_fields["fee_rate"]
    high = next(m.le for m in info.metadata if hasattr(m, "le"))
    assert (fee.kind, fee.unit, fee.low, fee.high) == ("float", info.json_schema_extra["unit"], 0, high)
    assert fee.allowed == f"[0, {high:g}]"
    regime = levers["policy.pricing.regime"]
    assert regime.kind == "choice" and "free" in regime.choices and regime.allowed.startswith("one of")
    assert levers["policy.brokers.enabled"].kind == "bool"
    assert levers["regulator.alert_months"].kind == "int"


def test_month_pickers_are_the_authorize_and_open_exchange_events():
    events = lv.dated_events(catalog.load("wuhan_2023_2025"))
    assert {e.action for e in events} == {"authorize", "open_exchange"}
    assert "open_regional_exchange" in {e.id for e in events}


def test_an_edit_outside_the_range_is_refused_naming_the_field():
    base = catalog.load("small")
    with pytest.raises(ScenarioError, match="fee_rate"):
        lv.edited(base, {"exchanges.pilot_platform.fee_rate": 2.0}, {}, "x")


def test_saved_edits_extend_the_parent_say_only_what_changed_and_load(tmp_path):
    parent = catalog.resolve("small")
    base = Scenario.load(parent)
    values = {"policy.pricing.regime": "free", "policy.vouchers.rate": base.policy.vouchers.rate}  # one unchanged
    dates = {"open_regional_exchange": "2024-02"}
    target = tmp_path / "sub" / "free.yaml"
    lv.save(lv.child_yaml(parent, base, values, dates, target.parent), target)
    text_ = target.read_text(encoding="utf-8")
    assert "extends: " in text_ and "vouchers" not in text_
    loaded = Scenario.load(target)
    expected = lv.edited(base, values, dates, "free")
    assert loaded.model_dump(exclude={"description"}) == expected.model_dump(exclude={"description"})
    assert next(e.date for e in loaded.timeline if e.id == "open_regional_exchange") == "2024-02"


def test_saving_never_replaces_a_file(tmp_path):
    base = catalog.load("small")
    target = tmp_path / "mine.yaml"
    target.write_text("keep", encoding="utf-8")
    yaml_text = lv.child_yaml(catalog.resolve("small"), base, {"policy.pricing.regime": "free"}, {}, tmp_path)
    with pytest.raises(ValueError, match="exists already"):
        lv.save(yaml_text, target)
    with pytest.raises(ValueError, match=r"\.yaml"):
        lv.save(yaml_text, tmp_path / "mine.txt")
    assert target.read_text(encoding="utf-8") == "keep"


# ---- background runs ----------------------------------------------------------------------------------


def test_a_cancelled_batch_stops_submitting_runs(tmp_path):
    base = Scenario.load(tiny_scenario(tmp_path))
    batch = Batch(base, lv.edited(base, {"policy.pricing.regime": "free"}, {}, "tiny_edited"), n_seeds=20,
                  workers=1).start()
    batch.cancel()
    batch.join(timeout=120)
    assert batch.state == "cancelled" and batch.error is None
    assert batch.done < batch.total == 40


# ---- the command and the page --------------------------------------------------------------------------


def test_dashboard_command_refuses_a_bad_scenario_before_serving(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: nowhere.yaml\n", encoding="utf-8")
    assert cli(["dashboard", str(bad), "--port", "8999"]) == 2
    assert "nowhere.yaml" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """``python run.py dashboard tiny.yaml`` on a free local port; its URL."""
    port = free_port()
    log = open(tmp_path / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "run.py", "dashboard", str(tiny_scenario(tmp_path)), "--port", str(port),
                             "--host", "127.0.0.1"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "server.log").read_text()) from None
                time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):  # a server that failed to start is gone already
            os.killpg(proc.pid, signal.SIGTERM)  # the command, its Solara server and their workers
        proc.wait(timeout=30)
        log.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (`make test` installs it)")
def test_in_a_browser_a_lever_changes_runs_two_seeds_and_the_labels_switch_to_chinese(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    saved = tmp_path / "edited.yaml"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(60_000)
        page.goto(server)
        page.get_by_text("Data-element market dashboard").first.wait_for()
        markup = page.get_by_label("Markup")
        markup.fill("0.5")
        markup.press("Enter")
        page.get_by_text("markup: 0.5").wait_for()  # the edit, as the YAML that would be saved

        page.get_by_label("save as").fill(str(saved))
        page.get_by_role("button", name="Save").click()
        page.get_by_text("saved").first.wait_for()

        seeds = page.get_by_label("seeds")
        seeds.fill("2")
        seeds.press("Enter")
        page.get_by_role("button", name="Run").click()
        page.get_by_text("4 of 4 runs · finished").wait_for(timeout=120_000)
        page.get_by_text("(4 runs drawn)").wait_for()  # the figure of all four runs
        figure = page.locator("main img").last
        page.wait_for_function("img => img.complete && img.naturalWidth > 600", arg=figure.element_handle())
        page.screenshot(path=tmp_path / "dashboard.png")

        page.get_by_role("button", name="中文").click()
        page.get_by_text("数据要素市场仪表盘").first.wait_for()
        assert page.get_by_text("成本加成率").count() >= 1  # the Markup control's label

        page.get_by_text("watch").first.click()  # the month view: Mesa's SolaraViz on the edited scenario
        page.get_by_role("button", name="Step").click()
        page.get_by_text("Step: 1").wait_for()
        page.screenshot(path=tmp_path / "watch.png")
        browser.close()
    assert Scenario.load(saved).policy.pricing.markup == 0.5
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
