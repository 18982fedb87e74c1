"""Screenshots of a 千分制 in the app, zh and en, into docs/img: the import of a district's table with what it gave
(title, grade bands, veto clauses) to confirm, the Scores page with a vetoed station and stations without data listed
after the ranked ones, the station card of the points scheme, and the Audit page's share of the points each kind of
evidence earns.

    python tests/e2e/qianfen_shots.py                     # rewrites docs/img/qianfen-*-{en,zh}.png (1 min)
    python tests/e2e/qianfen_shots.py --out /tmp/shots    # somewhere else, to look at before committing

Not a test: it builds its own database (the demo, the district table of sample_data/qianfen saved as the scheme
`district-2024`, and its score sheet for 2024 imported as an evaluator would on the Records page) and drives
Debian's chromium (/usr/bin/chromium) with the waits of shots.py (the app's run state; no sleeps). The sheet scores
16 of the demo's 24 stations, and one of them is vetoed: the other 8 show as 数据不足.
"""
from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
from doc_shots import block, clip  # noqa: E402
from shots import CHROMIUM_ARGS, ROOT, SignIn, serve, wait_ready  # noqa: E402

from indicators.i18n import t  # noqa: E402
from indicators.records import score_sheet  # noqa: E402
from indicators.records import store as records  # noqa: E402
from indicators.scheme import catalog, framework  # noqa: E402

QIANFEN = ROOT / "sample_data" / "qianfen"
TABLE = QIANFEN / "table_district.xlsx"
SHEET = QIANFEN / "scores_district_wide.xlsx"
SCHEME_ID = "district-2024"
NAMES = {"zh": "××区2024年度社工站绩效评估", "en": "District station assessment 2024"}
PERIOD = (date(2024, 1, 1), date(2024, 12, 31))
WIDTH = 1280


def build_db(path: Path) -> str:
    """The demo, the district table as a saved scheme and its score sheet for 2024; the vetoed station's id."""
    records.build_demo(path)
    con = records.connect(path)
    try:
        scheme = framework.read_table(TABLE, scheme_id=SCHEME_ID, name_zh=NAMES["zh"], name_en=NAMES["en"])
        catalog.save(con, scheme, "qianfen_shots")
        plan = score_sheet.check_sheet(con, scheme, SHEET, *PERIOD)
        assert plan.ok, plan.problems
        score_sheet.apply_sheet(con, plan)
        assert plan.vetoed, "the sample sheet vetoes one station"
        return plan.vetoed[0]
    finally:
        con.close()


def open_page(page: Page, url: str, path: str, scheme: str | None) -> None:
    """A page in a new session, `scheme` (a name) chosen in the sidebar, then the sidebar closed: the shots show the
    main area at the width it has without the sidebar."""
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{url}/{path}")
    wait_ready(page)
    if page.locator("[data-testid=stSidebar][data-collapsed=true]").count():   # closed by the previous shot
        page.locator("[data-testid=stExpandSidebarButton]").click()
        page.locator("[data-testid=stSidebar][data-collapsed=false]").wait_for()
    if scheme:
        page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
        page.keyboard.type(scheme)   # the box filters its options as one types
        page.keyboard.press("Enter")
        wait_ready(page)
    page.locator("[data-testid=stSidebar]").hover()
    page.locator("[data-testid=stSidebarCollapseButton] button").click()
    page.locator("[data-testid=stSidebar][data-collapsed=true]").wait_for(state="attached")
    page.wait_for_function(f"() => document.querySelector('[data-testid=stMain]').getBoundingClientRect().width"
                           f" >= {WIDTH}")
    wait_ready(page)


def shoot(url: str, out: Path, vetoed: str, signin: SignIn) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang, locale in (("en", "en-GB"), ("zh", "zh-CN")):
            context = browser.new_context(locale=locale, viewport={"width": WIDTH, "height": 900},
                                          device_scale_factor=1)
            signin.into(context)
            page = context.new_page()
            page.set_default_timeout(60_000)

            # Schemes: the district table uploaded, what it gave shown to confirm
            open_page(page, url, "schemes", None)
            box = page.locator("[data-testid=stFileUploader]", has_text=t("fw.upload", lang))
            box.locator("input[type=file]").set_input_files(str(TABLE))
            page.get_by_text(t("qa.review", lang)).wait_for()
            wait_ready(page)
            page.evaluate("() => document.activeElement.blur()")
            propose = page.locator("[data-testid=stMain] [data-testid=stButton]", has_text=t("qa.propose", lang)).first
            clip(page, page.get_by_text(t("qa.review", lang)), propose, out / f"qianfen-import-{lang}.png")
            # the rules its 评分标准 state, beside them, to accept or edit
            page.get_by_role("button", name=t("qa.propose", lang)).first.click()
            page.get_by_text(t("qa.rules_read", lang, n=13, total=31)[:12]).wait_for()
            wait_ready(page)
            page.evaluate("() => document.activeElement.blur()")
            opener = page.locator(".st-key-fw_go")   # a keyed element carries its key as a class
            clip(page, page.locator("[data-testid=stMarkdownContainer] strong", has_text=t("qa.rules", lang)).first, opener, out / f"qianfen-rules-{lang}.png")

            # Scores: the ranking, a vetoed station and the stations without data after the ranked ones
            open_page(page, url, "scores", NAMES[lang])
            ranking = block(page, t("scores.ranking", lang))
            table = page.locator("[data-testid=stMain] [data-testid=stDataFrame]").first
            clip(page, ranking, table, out / f"qianfen-ranking-{lang}.png")

            # the vetoed station's card: points earned of available, why it is apart, points per item
            page.locator("[data-testid=stMain] [data-testid=stSelectbox]", has_text=t("scores.pick_station", lang)
                         ).click()
            page.keyboard.type(f"({vetoed})")
            page.keyboard.press("Enter")
            wait_ready(page)
            page.evaluate("() => document.activeElement.blur()")
            card = page.locator("[data-testid=stMain] [data-testid=stDataFrame]").nth(1)
            clip(page, block(page, t("scores.card", lang)), card, out / f"qianfen-station-card-{lang}.png")

            # Audit: which evidence earns the table's 1,000 points (paper, site checks, residents)
            open_page(page, url, "audit", NAMES[lang])
            clip(page, block(page, t("ev.title", lang)), block(page, t("sa.treatment", lang)),
                 out / f"qianfen-evidence-{lang}.png", through=False)
            context.close()
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = ap.parse_args()
    db = Path(tempfile.mkdtemp()) / "qianfen_shots.duckdb"
    vetoed = build_db(db)
    port = _free_port()
    url = f"http://localhost:{port}"
    signin = SignIn(db, url)   # before the server holds the file
    proc = serve(port, db)
    try:
        shoot(url, Path(args.out), vetoed, signin)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
