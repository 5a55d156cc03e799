"""The sign-off (issue 11): set with /signature, remembered on the user, ends every draft."""

from __future__ import annotations

from flows.case import Step
from flows.io import Draft, DraftKind, SetSignature
from tests.helpers.flow_driver import FlowDriver, drive_to

SIGNED = {"en": "Maria Petrova, designer", "bg": "Мария Петрова, дизайнер"}


def _reply_drafts(driver: FlowDriver) -> list[Draft]:
    return [o for o in driver.last.outgoing if isinstance(o, Draft) and o.kind is DraftKind.REPLY]


def test_a_stored_signature_ends_the_reply(language: str) -> None:
    driver = FlowDriver(language=language, signature=SIGNED[language])
    drive_to(driver, Step.REPLY)
    (draft,) = _reply_drafts(driver)
    assert draft.text.endswith("\n" + SIGNED[language])
    driver.press_key("coach-btn-tone-friendly")  # every later draft too
    assert _reply_drafts(driver)[0].text.endswith("\n" + SIGNED[language])


def test_without_a_signature_the_reply_is_unsigned(language: str) -> None:
    for signature in (None, ""):
        driver = FlowDriver(language=language, signature=signature)
        drive_to(driver, Step.REPLY)
        (draft,) = _reply_drafts(driver)
        assert not draft.text.endswith("\n" + SIGNED[language])


def test_the_signature_command_sets_it_and_shows_the_reply_signed(language: str) -> None:
    driver = FlowDriver(language=language)
    drive_to(driver, Step.REPLY)
    driver.command("signature", "  " + SIGNED[language].replace(" ", "  \n ", 1))
    assert driver.effects() == [SetSignature(SIGNED[language])]
    assert driver.signature == SIGNED[language]
    assert driver.said("coach-signature-kept", signature=SIGNED[language])
    (draft,) = _reply_drafts(driver)  # the reply again, signed
    assert draft.text.endswith("\n" + SIGNED[language])
    # The next case of the same user is signed without asking.
    again = FlowDriver(language=language, signature=driver.signature)
    drive_to(again, Step.REPLY)
    assert _reply_drafts(again)[0].text.endswith("\n" + SIGNED[language])


def test_the_command_alone_says_how_and_changes_nothing(language: str) -> None:
    driver = FlowDriver(language=language, signature="Maria")
    drive_to(driver, Step.CLIENT_NAME)
    driver.command("signature")
    assert driver.effects() == []
    assert driver.said("coach-signature-prompt")
    assert driver.case is not None and driver.case.step is Step.CLIENT_NAME


def test_the_signature_is_one_bounded_line(language: str) -> None:
    driver = FlowDriver(language=language)
    driver.command("signature", "x" * 500 + "\nsecond line")
    assert driver.signature is not None
    assert len(driver.signature) <= 80 and "\n" not in driver.signature


def test_the_command_is_listed_in_help(language: str) -> None:
    driver = FlowDriver(language=language)
    driver.command("help")
    assert "/signature" in driver.text_of()
