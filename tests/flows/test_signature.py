"""The sign-off (issue 11): set with /signature, remembered on the user, ends every draft."""

from __future__ import annotations

from flows.case import Step
from flows.i18n import t
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


# ---------------------------------------------------------------- asked once, after the first reply


def _question(driver: FlowDriver) -> str:
    """The question on screen, without the notes that came before it."""
    assert driver.keyboard is not None
    return driver.keyboard.text.rsplit("\n\n", 1)[-1]


def test_a_new_user_is_asked_the_sign_off_after_the_first_reply(language: str) -> None:
    driver = FlowDriver(language=language, signature=None)
    drive_to(driver, Step.REPLY)
    (draft,) = _reply_drafts(driver)  # the reply comes first, unsigned …
    assert not draft.text.endswith("\n" + SIGNED[language])
    assert _question(driver) == t(language, "coach-signoff-prompt")  # … then one question
    assert driver.labels() == [t(language, "coach-btn-skip")]
    driver.text("  " + SIGNED[language] + "  ")
    assert driver.effects() == [SetSignature(SIGNED[language])]
    assert driver.said("coach-signature-kept", signature=SIGNED[language])
    (signed,) = _reply_drafts(driver)  # the reply again, signed
    assert signed.text.endswith("\n" + SIGNED[language])
    assert _question(driver) == t(language, "coach-reply-prompt")  # then the usual buttons
    assert t(language, "coach-btn-done") in driver.labels()


def test_skip_stores_an_empty_sign_off_and_is_never_asked_again(language: str) -> None:
    driver = FlowDriver(language=language, signature=None)
    drive_to(driver, Step.REPLY)
    driver.press_key("coach-btn-skip")
    assert driver.effects() == [SetSignature("")]
    assert driver.signature == ""
    assert driver.said("coach-signoff-skipped")
    assert "/signature" in t(language, "coach-signoff-skipped")
    assert _reply_drafts(driver) == []  # nothing changed in the reply: just its buttons
    assert _question(driver) == t(language, "coach-reply-prompt")
    driver.press_key("coach-btn-tone-friendly")
    assert _question(driver) == t(language, "coach-reply-prompt")
    # a new case of the same user: not asked again
    driver.press_key("coach-btn-done")
    fresh = FlowDriver(language=language, signature=driver.signature)
    drive_to(fresh, Step.REPLY)
    assert _question(fresh) == t(language, "coach-reply-prompt")


def test_the_reply_buttons_wait_until_the_sign_off_is_answered(language: str) -> None:
    driver = FlowDriver(language=language, signature=None)
    drive_to(driver, Step.REPLY)
    assert driver.case is not None
    turn = driver.case.turn
    driver.text("   ")  # blank: asked again, nothing stored
    assert driver.effects() == []
    assert driver.case.turn == turn and driver.case.answers.asking_signature
    driver.command("signature", SIGNED[language])  # the command answers it too
    assert not driver.case.answers.asking_signature
    assert _question(driver) == t(language, "coach-reply-prompt")


def test_a_cyrillic_sign_off_is_asked_in_latin_letters_for_an_english_reply() -> None:
    driver = FlowDriver(language="bg", signature="Елена Костова")
    drive_to(driver, Step.REPLY)
    assert _reply_drafts(driver)[0].text.endswith("\nЕлена Костова")  # Bulgarian: as typed
    driver.press_key("coach-btn-reply-in-en")
    while driver.case is not None and driver.case.answers.reply_language == "en":
        if driver.said("coach-signature-latin-prompt", value="Елена Костова"):
            break
        driver.press_key("coach-btn-leave-out")  # the other facts: left out
    assert driver.said("coach-signature-latin-prompt", value="Елена Костова")
    driver.text("Elena Kostova")
    (english,) = _reply_drafts(driver)
    assert english.text.endswith("\nElena Kostova") and "Елена" not in english.text
    assert driver.effects() == []  # the stored sign-off stays as the user typed it
    driver.press_key("coach-btn-reply-in-bg")
    assert _reply_drafts(driver)[0].text.endswith("\nЕлена Костова")
