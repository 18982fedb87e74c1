"""Times and dates as a person reads them. The store keeps times in UTC; a Chinese reader sees Beijing time
(Asia/Shanghai, named 北京时间 where the words say which clock), an English reader sees the browser's zone when it
is known, else UTC said as such. Dates in Chinese are written 2024年5月3日. No streamlit here: pages pass the
browser's zone in."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def _aware(when: datetime | str) -> datetime:
    when = datetime.fromisoformat(when) if isinstance(when, str) else when
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)   # the store's naive times are UTC


def shown_time(when: datetime | str, lang: str, fmt: str = "%H:%M", zone: str | None = None) -> str:
    """`when` (UTC when naive) for a reader: in Chinese Beijing time, in English the browser's `zone` if it is a
    known zone, else UTC with the letters UTC after it."""
    when = _aware(when)
    if lang == "zh":
        return f"{when.astimezone(BEIJING):{fmt}}"
    try:
        return f"{when.astimezone(ZoneInfo(zone)):{fmt}}" if zone else f"{when.astimezone(timezone.utc):{fmt}} UTC"
    except Exception:   # noqa: BLE001 - an unknown zone name from a browser: say UTC
        return f"{when.astimezone(timezone.utc):{fmt}} UTC"


def shown_date(day: date | datetime | str, lang: str) -> str:
    """A day as a reader writes it: 2024年5月3日 in Chinese, 2024-05-03 in English; text that is not a date stays."""
    try:
        day = date.fromisoformat(str(day)[:10]) if not isinstance(day, date) else day
    except ValueError:
        return str(day)
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day:%Y-%m-%d}"


class Moment:
    """A time put in an error's parameters, rendered in the reader's language where it is shown (errors.Word does
    the same for words): Beijing time in Chinese, UTC in English (the words name the clock). str() gives the English."""

    def __init__(self, when: datetime | str, fmt: str = "%H:%M"):
        self.when, self.fmt = when, fmt

    def render(self, lang: str) -> str:
        """Chinese: Beijing time; English: UTC (the English words say "UTC" after it)."""
        when = _aware(self.when)
        return f"{when.astimezone(BEIJING if lang == 'zh' else timezone.utc):{self.fmt}}"

    def __str__(self) -> str:
        return self.render("en")

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def in_reader_clock(times, lang: str):
    """A pandas Series of UTC times (naive) as a table shows them: Beijing time in Chinese (still naive, so a
    DatetimeColumn prints it as it is), unchanged in English (the column's name says UTC)."""
    import pandas as pd   # only the pages' tables need it
    times = pd.to_datetime(times)
    if lang != "zh":
        return times
    if times.dt.tz is None:
        times = times.dt.tz_localize("UTC")
    return times.dt.tz_convert(BEIJING).dt.tz_localize(None)
