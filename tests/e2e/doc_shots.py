"""Screenshots of the Audit page (photo-count and needs-met) and its treatment view, in both languages (not a test).

    python tests/e2e/audit_shots.py --out test-artifacts/shots

Builds the demo database, removes two stations' rubric ratings so the treatment has gaps to fill, starts a
server on it, and drives Debian's chromium with the waits of shots.py.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
from shots import CHROMIUM_ARGS, ROOT, serve, shoot, wait_ready  # noqa: E402

from indicators.records import store as records  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--port", type=int, default=8611)
    ap.add_argument("--out", default=str(ROOT / "test-artifacts" / "shots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = Path(tempfile.mkdtemp()) / "audit.duckdb"
    records.build_demo(db)
    con = records.connect(db)
    con.execute("DELETE FROM ratings WHERE station_id IN ('S01', 'S02')")
    con.close()
    proc = serve(args.port, db)
    url = f"http://localhost:{args.port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for lang, locale, photo in (("en", "en-GB", "Photo count"), ("zh", "zh-CN", "留痕计数方案")):
                context = browser.new_context(locale=locale, viewport={"width": 1440, "height": 900})
                page = context.new_page()
                page.goto(f"{url}/audit")
                wait_ready(page)
                shoot(page, out / f"audit-needs-met-{lang}.png")
                print(out / f"audit-needs-met-{lang}.png")
                page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
                page.get_by_role("option", name=photo).first.click()
                wait_ready(page)
                shoot(page, out / f"audit-photo-count-{lang}.png")
                print(out / f"audit-photo-count-{lang}.png")
                page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
                page.get_by_role("option").nth(1).click()
                wait_ready(page)
                page.locator("[data-testid=stCheckbox]").first.click()   # the imputation what-if toggle
                wait_ready(page)
                page.locator("[data-testid=stExpander] summary").last.click()
                wait_ready(page)
                shoot(page, out / f"audit-treatment-{lang}.png")
                print(out / f"audit-treatment-{lang}.png")
                context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
