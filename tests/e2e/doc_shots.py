"""The screenshots in docs/img of a scheme tree, a station card, the audit and the data treatment, both languages.

    python tests/e2e/doc_shots.py                      # rewrites docs/img/{framework,audit}-*-{en,zh}.png (2 min)
    python tests/e2e/doc_shots.py --out /tmp/shots     # somewhere else, to look at before committing

Not a test: it builds its own database and server and drives Debian's chromium (/usr/bin/chromium) with the
waits of shots.py (the app's run state, every chart drawn; no sleeps). The database is the demo plus the example
framework of sample_data/framework (framework.xlsx, saved as the scheme `framework`, and indicator_values.csv),
with two changes that give the data treatment something to do, as real data would:
  - two stations (S13, S20) missed the satisfaction survey: the scheme imputes their district's mean
    (`missing: group_mean` on `satisfaction`);
  - one street office (S09) counted phone calls as home visits (6,400 instead of 1,197): the scheme treats
    outliers (`treatment: {outliers: winsorise}`), which Winsorises that point.
Each shot is the relevant part of the page at 1280 px wide, device scale 1, the sidebar closed, saved in 256 colours.
"""
from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from PIL import Image
from playwright.sync_api import Locator, Page, sync_playwright

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
from shots import CHROMIUM_ARGS, ROOT, SignIn, serve, wait_ready  # noqa: E402

from indicators.i18n import pick  # noqa: E402
from indicators.records import importer  # noqa: E402
from indicators.records import store as records  # noqa: E402
from indicators.scheme import catalog, framework  # noqa: E402

EXAMPLE = ROOT / "sample_data" / "framework"
WIDTH = 1280
NAMES = {"zh": "社工站评估指标体系（示例）", "en": "Station assessment framework (example)"}
CARD_STATION = "S20"   # imputed satisfaction, a mid-table rank


def _group_mean(dims):
    """The satisfaction survey's gaps take their district's mean."""
    return tuple(replace(d, dimensions=_group_mean(d.dimensions), indicators=tuple(
        replace(i, missing="group_mean") if i.id == "satisfaction" else i for i in d.indicators)) for d in dims)


def build_db(path: Path) -> None:
    records.build_demo(path)
    con = records.connect(path)
    try:
        report = importer.import_file(con, "indicator_values", EXAMPLE / "indicator_values.csv")
        assert report.inserted == 96, report
        con.execute("DELETE FROM indicator_values WHERE indicator_id = 'satisfaction' AND station_id IN ('S13', 'S20')")
        con.execute("UPDATE indicator_values SET value = 6400 WHERE indicator_id = 'home_visits' AND station_id = 'S09'")
        scheme = framework.read_table(EXAMPLE / "framework.xlsx", scheme_id="framework", name_zh=NAMES["zh"],
                                      name_en=NAMES["en"])
        scheme = replace(scheme, dimensions=_group_mean(scheme.dimensions),
                         treatment=replace(scheme.treatment, outliers="winsorise"))
        catalog.save(con, scheme, "doc_shots")
    finally:
        con.close()


def choose_scheme(page: Page, name: str) -> None:
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    page.keyboard.type(name)   # the box filters its options as one types
    page.keyboard.press("Enter")
    wait_ready(page)


def open_page(page: Page, url: str, path: str, lang: str, scheme: str | None = None) -> None:
    """A page in a new session (so the default scheme), the example framework (or `scheme`, a name) chosen in the
    sidebar, then the sidebar closed: the shots show the main area only, at the width it has without the sidebar."""
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{url}/{path}")
    wait_ready(page)
    if page.locator("[data-testid=stSidebar][data-collapsed=true]").count():   # closed by the previous shot
        page.locator("[data-testid=stExpandSidebarButton]").click()
        page.locator("[data-testid=stSidebar][data-collapsed=false]").wait_for()
    choose_scheme(page, scheme or NAMES[lang])
    page.locator("[data-testid=stSidebar]").hover()
    page.locator("[data-testid=stSidebarCollapseButton] button").click()
    page.locator("[data-testid=stSidebar][data-collapsed=true]").wait_for(state="attached")
    page.wait_for_function(f"() => document.querySelector('[data-testid=stMain]').getBoundingClientRect().width"
                           f" >= {WIDTH}")   # the sidebar has slid away
    wait_ready(page)


def grow(page: Page) -> None:
    """Make the viewport as tall as the main area (Streamlit scrolls inside it) so that every part has a box."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(900, int(height) + 40)})
    wait_ready(page)


def block(page: Page, heading: str) -> Locator:
    """The element container of a heading of the main area."""
    return page.locator("[data-testid=stMain] [data-testid=stHeading]", has_text=heading).first


def clip(page: Page, first: Locator, last: Locator, path: Path, through: bool = True) -> Path:
    """Screenshot from the top of `first` to the bottom of `last` (to its top if not `through`), across the main
    column."""
    grow(page)
    main = page.locator("[data-testid=stMainBlockContainer]").bounding_box()
    top, bottom = first.bounding_box(), last.bounding_box()
    y0, y1 = top["y"] - 12, bottom["y"] + (bottom["height"] + 12 if through else -8)
    page.screenshot(path=str(path), clip={"x": main["x"], "y": y0, "width": main["width"], "height": y1 - y0})
    # 256 colours, undithered: a third of the size, and text and charts look the same (Pillow comes with streamlit)
    Image.open(path).convert("RGB").quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)
    print(path, f"{path.stat().st_size // 1024} KB")
    return path


def shoot(url: str, out: Path, signin: SignIn) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for lang, locale in (("en", "en-GB"), ("zh", "zh-CN")):
            context = browser.new_context(locale=locale, viewport={"width": WIDTH, "height": 900},
                                          device_scale_factor=1)
            signin.into(context)
            page = context.new_page()
            page.set_default_timeout(60_000)
            words = _Words(lang)

            # Indicators: the scheme tree and its icicle chart
            open_page(page, url, "indicators", lang)
            tree = page.locator("[data-testid=stExpander]").first
            clip(page, tree, tree, out / f"framework-tree-{lang}.png")

            # Scores: the station card, its node tree with the points earned
            open_page(page, url, "scores", lang)
            page.locator("[data-testid=stMain] [data-testid=stSelectbox]", has_text=words.station).click()
            page.keyboard.type(f"({CARD_STATION})")   # the box filters its options as one types
            page.keyboard.press("Enter")
            wait_ready(page)
            page.evaluate("() => document.activeElement.blur()")   # no focus ring in the shot
            nodes = page.locator("[data-testid=stMain] [data-testid=stExpander]", has_text=words.nodes).first
            clip(page, block(page, words.card), nodes, out / f"framework-station-card-{lang}.png")

            # Audit: findings with the correlations; importance against weight and what moves the ranks;
            # then the data treatment with the treated values opened
            open_page(page, url, "audit", lang)
            grow(page)
            heatmap = page.locator("[data-testid=stMain] [data-testid=stVegaLiteChart]").first
            clip(page, block(page, words.findings), heatmap, out / f"audit-findings-{lang}.png")
            clip(page, block(page, words.importance), page.locator("[data-testid=stMain] [data-testid=stExpander]",
                                                                     has_text=words.sobol_stations).first,
                 out / f"audit-importance-{lang}.png")
            treated = page.locator("[data-testid=stMain] [data-testid=stExpander]", has_text=words.treated).first
            treated.locator("summary").click()
            wait_ready(page)
            clip(page, block(page, words.treatment), treated, out / f"audit-treatment-{lang}.png")

            # Audit of the built-in photo-count scheme: its counts flagged as one behaviour counted five times
            open_page(page, url, "audit", lang, scheme=pick(catalog.builtin("photo-count"), lang))
            clip(page, block(page, words.findings), block(page, words.corr), out / f"audit-photo-count-{lang}.png",
                 through=False)
            context.close()
        browser.close()


class _Words:
    """The headings the shots are cut at, in the page's language (from the app's own word tables)."""

    def __init__(self, lang: str):
        from indicators.i18n import t
        self.card = t("scores.card", lang)
        self.station = t("scores.pick_station", lang)
        self.nodes = t("tree.station_nodes", lang)
        self.findings = t("sa.findings", lang)
        self.corr = t("sa.corr", lang)
        self.importance = t("sa.importance", lang)
        self.sobol_stations = t("sa.sobol_stations", lang)
        self.treatment = t("sa.treatment", lang)
        self.treated = t("sa.treated_values", lang)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    ap.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = ap.parse_args()
    db = Path(tempfile.mkdtemp()) / "doc_shots.duckdb"
    build_db(db)
    port = args.port or _free_port()
    url = f"http://localhost:{port}"
    signin = SignIn(db, url)   # before the server holds the file
    proc = serve(port, db)
    try:
        shoot(url, Path(args.out), signin)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
