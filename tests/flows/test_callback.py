"""Button data: round trip, the 64-byte limit, garbage never raises."""

from __future__ import annotations

import pytest

from flows import callback
from flows.case import Step
from flows.io import Reply
from tests.helpers.flow_driver import FlowDriver, drive_to


def test_round_trip() -> None:
    data = callback.encode(
        case_id="0123456789abcdef0123456789abcdef", turn=17, choice="e.client_name"
    )
    assert data == "rc:01234567:17:e.client_name"
    assert callback.decode(data) == callback.ButtonData("01234567", 17, "e.client_name")


def test_no_case_reference() -> None:
    data = callback.encode(case_id=None, turn=0, choice="del.yes")
    decoded = callback.decode(data)
    assert decoded is not None and decoded.case_ref == callback.NO_CASE_REF


def test_longest_possible_data_fits() -> None:
    data = callback.encode(case_id="f" * 32, turn=999_999_999, choice="z" * 32)
    assert len(data.encode("utf-8")) <= callback.MAX_DATA_BYTES


@pytest.mark.parametrize("choice", ["", "UPPER", "with space", "ü", "x" * 33, "a:b"])
def test_encode_rejects_bad_tokens(choice: str) -> None:
    with pytest.raises(ValueError):
        callback.encode(case_id="ab" * 16, turn=1, choice=choice)


def test_encode_rejects_negative_turn() -> None:
    with pytest.raises(ValueError):
        callback.encode(case_id="ab" * 16, turn=-1, choice="calm")


@pytest.mark.parametrize(
    "data",
    [
        "",
        "calm",
        "rc",
        "rc:::",
        "rc:0123456:1:calm",
        "rc:0123456g:1:calm",
        "rc:01234567:-1:calm",
        "rc:01234567:1:CALM",
        "rc:01234567:1:calm:extra",
        "xx:01234567:1:calm",
        "rc:01234567:1234567890:calm",
        "rc:01234567:1:" + "a" * 40,
        "rc:01234567:1:калм",
        "\x00\x01\x02",
        "rc:01234567:1:calm" + " " * 60,
        "💥" * 20,
    ],
)
def test_decode_garbage_returns_none(data: str) -> None:
    assert callback.decode(data) is None


@pytest.mark.parametrize("value", [None, 5, b"rc:01234567:1:calm", ["rc"]])
def test_decode_non_strings(value: object) -> None:
    assert callback.decode(value) is None


def _every_button(driver: FlowDriver) -> list[str]:
    return [
        button.data
        for out in driver.all_outgoing()
        if isinstance(out, Reply)
        for row in out.buttons
        for button in row
    ]


def test_every_button_the_flow_produces_fits_64_bytes(language: str) -> None:
    datas: set[str] = set()
    for step in Step:
        driver = drive_to(FlowDriver(language=language), step)
        driver.command("delete")
        driver.command("start")
        if driver.case is not None:
            driver.command("back")
        datas.update(_every_button(driver))
    no_case = FlowDriver(language=language)
    no_case.command("delete")
    datas.update(_every_button(no_case))
    assert len(datas) > 60
    for data in datas:
        assert 1 <= len(data.encode("utf-8")) <= callback.MAX_DATA_BYTES, data
        assert callback.decode(data) is not None, data
