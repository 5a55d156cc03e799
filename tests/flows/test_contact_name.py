"""The contact person's first name: asked after a company's name only, skippable, editable."""

from __future__ import annotations

import pytest

from flows.case import Answers, Step
from flows.steps import EDITABLE_STEPS
from flows.steps.facts import names_a_company
from tests.helpers.flow_driver import FlowDriver, drive_to


@pytest.mark.parametrize(
    "name",
    [
        "Nordlicht GmbH",
        "ACME Ltd",
        "Acme LLC",
        "Globex Inc.",
        "Акме ООД",
        "Лале ЕООД",
        "„Акме“ АД",
        "ЕТ Иван Петров",
        "Studio Lale",
        "Студио Лале",
        "Агенция Север",
        "IBM",
        "Smith & Sons",
        "Web4u",
    ],
)
def test_a_company_name(name: str) -> None:
    assert names_a_company(Answers(client_name=name))


@pytest.mark.parametrize(
    "name", ["Maria Ivanova", "Мария Иванова", "Иван Петров Георгиев", "Anna", "Ad Smith", None]
)
def test_a_person_or_no_name(name: str | None) -> None:
    assert not names_a_company(Answers(client_name=name))


def test_asked_after_a_company_skippable_and_editable(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    driver.text("Nordlicht GmbH")
    assert driver.case is not None and driver.case.step is Step.CONTACT_NAME
    driver.press_key("coach-btn-skip")
    assert driver.case.step is Step.DELIVERY and driver.case.answers.contact_name is None
    driver.command("back")
    driver.text("Anna")
    assert driver.case.step is Step.DELIVERY and driver.case.answers.contact_name == "Anna"
    assert Step.CONTACT_NAME in EDITABLE_STEPS


def test_not_asked_after_a_person(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    driver.text("Maria Ivanova")
    assert driver.case is not None and driver.case.step is Step.DELIVERY
