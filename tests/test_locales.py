"""Catalogs: the same keys and placeholders in en and bg, in every area; native Bulgarian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast

from flows.case import LANGUAGES
from flows.i18n import catalog, message_placeables

LOCALES = Path(__file__).resolve().parents[1] / "locales"
AREAS = sorted({p.name for lang in LANGUAGES for p in (LOCALES / lang).glob("*.ftl")})
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _messages(path: Path) -> dict[str, ast.Message]:
    resource = FluentParser().parse(path.read_text(encoding="utf-8"))
    junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
    assert not junk, f"{path}: unparsable entries: {[j.content[:60] for j in junk]}"
    return {e.id.name: e for e in resource.body if isinstance(e, ast.Message)}


def _text_of(message: ast.Message) -> str:
    """The literal text of a message (placeables left out)."""
    out: list[str] = []
    if message.value is not None:
        out.extend(el.value for el in message.value.elements if isinstance(el, ast.TextElement))
    for attribute in message.attributes:
        out.extend(el.value for el in attribute.value.elements if isinstance(el, ast.TextElement))
    return "".join(out)


def test_there_are_catalogs() -> None:
    assert "coach.ftl" in AREAS
    assert len(AREAS) >= 2


@pytest.mark.parametrize("area", AREAS)
def test_every_area_exists_in_every_language(area: str) -> None:
    for language in LANGUAGES:
        assert (LOCALES / language / area).is_file(), f"{language}/{area} is missing"


@pytest.mark.parametrize("area", AREAS)
def test_same_keys_and_placeholders(area: str) -> None:
    sources = {lang: (LOCALES / lang / area).read_text(encoding="utf-8") for lang in LANGUAGES}
    placeables = {lang: message_placeables(src) for lang, src in sources.items()}
    en, bg = placeables["en"], placeables["bg"]
    assert sorted(set(en) - set(bg)) == [], f"missing in bg/{area}"
    assert sorted(set(bg) - set(en)) == [], f"missing in en/{area}"
    for key in en:
        assert en[key] == bg[key], f"{area}: {key} placeholders differ: {en[key]} vs {bg[key]}"


@pytest.mark.parametrize("area", AREAS)
def test_catalogs_parse_and_keys_are_namespaced(area: str) -> None:
    for language in LANGUAGES:
        namespaces = {key.split("-", 1)[0] for key in _messages(LOCALES / language / area)}
        assert len(namespaces) == 1, f"{language}/{area}: several namespaces {sorted(namespaces)}"


def test_no_key_is_defined_in_two_areas() -> None:
    for language in LANGUAGES:
        seen: dict[str, str] = {}
        for area in AREAS:
            for key in _messages(LOCALES / language / area):
                assert key not in seen, f"{language}: {key} in both {seen[key]} and {area}"
                seen[key] = area


@pytest.mark.parametrize("area", AREAS)
def test_bulgarian_is_cyrillic_with_typographic_quotes(area: str) -> None:
    messages = _messages(LOCALES / "bg" / area)
    texts = {key: _text_of(message) for key, message in messages.items()}
    assert any(_CYRILLIC.search(text) for text in texts.values()), f"bg/{area} has no Cyrillic"
    for key, text in texts.items():
        assert '"' not in text, f"bg/{area}: {key} has a straight double quote"
        assert "“" not in text.replace("„", "") or text.count("„") == text.count("“"), key


def test_every_message_formats_in_both_languages() -> None:
    for language in LANGUAGES:
        for area in AREAS:
            for key, message in _messages(LOCALES / language / area).items():
                if message.value is None:
                    continue
                args = {
                    name: "1"
                    for name in message_placeables(
                        (LOCALES / language / area).read_text(encoding="utf-8")
                    )[key]
                }
                text = catalog(language).t(key, **args)
                assert text.strip(), f"{language}: {key} is empty"
                assert "{" not in text, f"{language}: {key} left a placeable: {text!r}"


def test_coach_texts_differ_between_languages() -> None:
    en = _messages(LOCALES / "en" / "coach.ftl")
    bg = _messages(LOCALES / "bg" / "coach.ftl")
    same = [
        k
        for k in en
        if _text_of(en[k]) == _text_of(bg[k]) and _CYRILLIC.search(_text_of(bg[k])) is None
    ]
    # Only language-neutral labels (percentages, currency codes, the history line) may be identical.
    assert all(
        k.startswith(("coach-btn-share-", "coach-btn-currency-", "coach-history-line"))
        for k in same
    ), same
