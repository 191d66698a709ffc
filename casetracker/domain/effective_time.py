"""When something happened, at the precision the record actually has.

The report dates some events only to the month ("December 2010", Figure 1) and gives others no
date at all, only bounds (Figure 2's two frustrated removals fall between 3 Jul and 5 Oct 2015).
An effective time is therefore an instant, a day, a month or a range of those, and keeps that
precision all the way to the screen: nothing here invents a time of day or a day of the month.

Canonical text forms (what the hash chain stores):
``2013-07-16T14:30:00Z`` (instant, UTC) · ``2013-07-16`` (day) · ``2010-12`` (month) ·
``2015-07-03/2015-10-05`` (range; either end may be any of the three).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

DEFAULT_ZONE = ZoneInfo("Europe/London")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_ABBR = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}


class EffectiveTimeError(ValueError):
    """A user-supplied effective time that cannot be accepted; the message says why."""


class UnreadableTime(EffectiveTimeError):
    """Text that is no time in any form ``parse`` reads; its message lists the forms, which a
    caller asking for a moment rather than a period words its own way."""


@dataclass(frozen=True, order=False)
class EffectiveTime:
    """A period in which an event happened: ``start`` inclusive, ``end`` exclusive, both UTC.

    ``text`` is the canonical form, which is what gets hashed and shown; the bounds are derived
    from it and used only for ordering and arithmetic.
    """

    text: str
    start: datetime
    end: datetime

    @property
    def precision(self) -> str:
        if "/" in self.text:
            return "range"
        if "T" in self.text:
            return "instant"
        return "day" if len(self.text) == 10 else "month"

    @property
    def is_exact(self) -> bool:
        """``precision == "instant"``, asked of every step of a PACE clock: read at once."""
        return "T" in self.text and "/" not in self.text

    def sort_key(self) -> tuple[datetime, datetime]:
        return (self.start, self.end)

    @property
    def known_from(self) -> datetime:
        """The first moment it can be recorded: its start, or for a range the start of its last
        part (what happened "between 3 Jul and 5 Oct" is known once 5 Oct has begun)."""
        _, ranged, last = self.text.partition("/")
        return parse_canonical(last).start if ranged else self.start

    def display(self, zone: tzinfo = DEFAULT_ZONE) -> str:
        """Human form at the record's own precision (instants shown in the local zone)."""
        if self.precision == "instant":
            return self.start.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        if self.precision == "day":
            return self.text
        if self.precision == "month":
            return self.start.strftime("%b %Y")
        first, last = self.text.split("/")
        first_text = parse_canonical(first).display(zone)
        return f"between {first_text} and {parse_canonical(last).display(zone)}"

    def __str__(self) -> str:
        return self.text


_SECOND = timedelta(seconds=1)


def _outside_years(what: str) -> EffectiveTimeError:
    """An offset or a zone can carry a time at the edge of the years a datetime holds past
    them (``0001-01-01T00:00+14:00`` is year 0 in UTC; the day 9999-12-31 ends in year
    10000): that is a bad request, not an ``OverflowError`` reported as a bug."""
    return EffectiveTimeError(f"{what} falls outside the years casetracker holds (1..9999 in UTC)")


def _instant(moment: datetime) -> EffectiveTime:
    try:
        moment = moment.astimezone(UTC).replace(microsecond=0)
        end = moment + _SECOND
    except OverflowError:
        raise _outside_years(moment.isoformat()) from None
    text = moment.replace(tzinfo=None).isoformat() + "Z"
    return EffectiveTime(text, moment, end)


def _day(day: date, zone: tzinfo) -> EffectiveTime:
    try:
        start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        nxt = day + timedelta(days=1)
        end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone).astimezone(UTC)
    except OverflowError:
        raise _outside_years(day.isoformat()) from None
    return EffectiveTime(day.isoformat(), start, end)


def _month(year: int, month: int, zone: tzinfo) -> EffectiveTime:
    if not 1 <= month <= 12:
        raise EffectiveTimeError(f"month {month:02d} does not exist")
    text = f"{year:04d}-{month:02d}"
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        start = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
        end = datetime(ny, nm, 1, tzinfo=zone).astimezone(UTC)
    except (OverflowError, ValueError):  # ValueError: year 0 or 10000, no datetime's
        raise _outside_years(text) from None
    return EffectiveTime(text, start, end)


def instant(moment: datetime) -> EffectiveTime:
    """An exact effective time; ``moment`` must be timezone-aware."""
    if moment.tzinfo is None:
        raise EffectiveTimeError("an instant needs a timezone")
    return _instant(moment)


def parse_canonical(text: str, zone: tzinfo = DEFAULT_ZONE) -> EffectiveTime:
    """Rebuild an effective time from its stored canonical text (no 'now' involved).

    A canonical instant (``2013-07-16T14:30:00Z``) is read directly: real logs hold a
    different instant in nearly every event, so the parse cache below misses on them, and a
    fold or a rebuild spent a fifth of its time re-reading text already canonical (issue 18).
    Only the exact canonical shape is read so (``_CANONICAL_INSTANT``); anything else takes
    the general path and gives what it always gave.
    """
    known = _produced.get((text, zone))
    if known is not None:
        return known
    if _CANONICAL_INSTANT.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text)  # its ``Z`` read as UTC itself
            end = moment + _SECOND
        except (ValueError, OverflowError):  # a 13th month, a 24th hour; the last second
            pass
        else:
            return EffectiveTime(text, moment, end)
    return _parse_fixed(text, zone)


# A canonical instant, ASCII digits only: every such text the datetime reads (its fields in
# range) is the text that datetime writes, so it needs no writing back to be checked, which
# had been two thirds of reading it.
_CANONICAL_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


# What ``parse`` answered lately, by its canonical text: an action parses what its user typed,
# records the canonical text and folds the event at once, which read the text back again.
# ``parse_canonical`` of that text is the same value (the canonical form is defined by that).
_produced: dict[tuple[str, tzinfo], EffectiveTime] = {}
_PRODUCED_KEPT = 256


def _remember(value: EffectiveTime, zone: tzinfo) -> EffectiveTime:
    if len(_produced) >= _PRODUCED_KEPT:
        _produced.clear()
    _produced[(value.text, zone)] = value
    return value


@functools.lru_cache(maxsize=8192)
def _parse_fixed(text: str, zone: tzinfo) -> EffectiveTime:
    """Texts that do not say "now" mean the same whenever they are read: every fold and every
    action re-reads the same few thousand dates, so they are parsed once."""
    return _parse_single_or_range(text, zone, now=None)


def parse(
    text: str, now: datetime, zone: tzinfo = DEFAULT_ZONE, allow_future: bool = False
) -> EffectiveTime:
    """Parse what a user typed; refuse anything unparseable or in the future.

    Accepts ``now``, ISO instants (``2013-07-16T14:30``, with or without an offset; without one
    the time is read in ``zone``), days (``2013-07-16``), months (``2010-12``, ``December 2010``,
    ``Dec 2010``) and ranges written ``A/B`` or ``A..B``.  A period is in the future when its
    start is after ``now``; a day or month that has begun is accepted.  A range is refused
    when its last part has not begun: something that happened cannot end later than now.
    ``allow_future`` is for reading ("the case as of ..."), where a later date simply means
    as it stands now.
    """
    cleaned = text.strip()
    if not cleaned:
        raise EffectiveTimeError("effective time is empty")
    if "now" in cleaned.lower():
        value = _parse_single_or_range(cleaned, zone, now)
    else:
        value = _parse_fixed(cleaned, zone)
    if value.start > now and not allow_future:
        raise EffectiveTimeError(
            f"effective time {value.text} is in the future (now is {_instant(now).text})"
        )
    if value.known_from > now and not allow_future:
        raise EffectiveTimeError(
            f"range {value.text} ends in the future (now is {_instant(now).text}): "
            "give the part that has happened"
        )
    return _remember(value, zone)


def _parse_single_or_range(text: str, zone: tzinfo, now: datetime | None) -> EffectiveTime:
    for sep in ("..", "/"):
        if sep in text:
            first_text, _, last_text = text.partition(sep)
            first = _parse_single(first_text.strip(), zone, now)
            last = _parse_single(last_text.strip(), zone, now)
            if last.end <= first.start:
                raise EffectiveTimeError(f"range {text!r} ends before it starts")
            return EffectiveTime(f"{first.text}/{last.text}", first.start, last.end)
    return _parse_single(text, zone, now)


def _parse_single(text: str, zone: tzinfo, now: datetime | None) -> EffectiveTime:
    if text.lower() == "now" and now is not None:
        return _instant(now)
    if m := _MONTH.match(text):
        return _month(int(m[1]), int(m[2]), zone)
    if m := _DAY.match(text):
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise EffectiveTimeError(f"{text!r} is not a real date: {exc}") from None
        return _day(day, zone)
    words = text.replace(",", " ").split()
    if len(words) == 2 and words[1].isdecimal():
        month = _MONTH_NAMES.get(words[0].lower()) or _MONTH_ABBR.get(words[0].lower())
        if month:
            return _month(int(words[1]), month, zone)
    if "T" in text or " " in text:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            return _instant(moment)
    raise UnreadableTime(
        f"cannot read {text!r} as a time: use 2016-06-24T09:30, 2016-06-24, 2010-12, "
        "'December 2010', or a range such as 2015-07-03..2015-10-05"
    )


def out_of_sequence(times: list[EffectiveTime]) -> set[int]:
    """Indexes of the fewest entries whose removal leaves the rest in effective-time order.

    That is the complement of a longest non-decreasing subsequence (by start, then end), so a
    single misplaced entry is the one flagged, not every correct entry recorded after it
    (DOMAIN.md, "Time": Figure 1's human-rights claim).  Among equally long runs the one made
    of the earliest-recorded entries is kept, so what is flagged is what came in late.
    O(n log n).
    """
    import bisect

    keys = [t.sort_key() for t in times]
    rank = {key: r for r, key in enumerate(sorted(set(keys)))}
    # longest[i]: length of the longest non-decreasing run that starts at entry i.
    longest = [0] * len(keys)
    tails: list[int] = []
    for i in range(len(keys) - 1, -1, -1):
        value = -rank[keys[i]]
        pos = bisect.bisect_right(tails, value)
        if pos == len(tails):
            tails.append(value)
        else:
            tails[pos] = value
        longest[i] = pos + 1
    keep: set[int] = set()
    need = len(tails)
    floor = -1
    for i, key in enumerate(keys):
        if need and longest[i] == need and rank[key] >= floor:
            keep.add(i)
            floor = rank[key]
            need -= 1
    return set(range(len(keys))) - keep
