import datetime as dt

import pytest

from challenges.domain import describe_window

UTC = dt.UTC
OPENS = dt.datetime(2025, 4, 9, 12, 0, tzinfo=UTC)
CLOSES = dt.datetime(2025, 5, 31, 11, 59, 59, tzinfo=UTC)
ANNOUNCED = dt.datetime(2025, 4, 21, 11, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (OPENS - dt.timedelta(seconds=1), "upcoming"),
        (OPENS, "open"),
        (CLOSES, "open"),
        (CLOSES + dt.timedelta(seconds=1), "closed"),
    ],
)
def test_window_bounds_are_inclusive(now, state):
    window = describe_window(opens_at=OPENS, closes_at=CLOSES, announced_closes_at=None, now=now)
    assert window.state == state
    assert window.is_open is (state == "open")


def test_a_window_without_close_stays_open():
    now = OPENS + dt.timedelta(days=3650)
    window = describe_window(opens_at=OPENS, closes_at=None, announced_closes_at=None, now=now)
    assert window.state == "open"


@pytest.mark.parametrize(
    ("announced", "extended"), [(ANNOUNCED, True), (CLOSES, False), (None, False)]
)
def test_extended_when_it_closes_later_than_announced(announced, extended):
    window = describe_window(
        opens_at=OPENS, closes_at=CLOSES, announced_closes_at=announced, now=OPENS
    )
    assert window.extended is extended
