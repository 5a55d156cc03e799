"""Localised text from the Fluent catalogs in ``locales/``.

Why Fluent (``fluent.runtime``) rather than gettext: messages are looked up by
namespaced keys, translators see named placeables (``{ $client }``) and can
write plural and gender variants in the catalog itself, there is no compile
step (.po → .mo), and plural rules come from Babel's CLDR data, which the
project already uses for money.

A missing key is an error (:class:`MissingMessageError`), never a silent
fallback. The language is passed per call — there is no process-global ``_``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from decimal import Decimal
from importlib import resources
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

from flows.case import DEFAULT_LANGUAGE, LANGUAGES

_PLACEABLE = re.compile(r"\{\s*\$([a-zA-Z0-9_-]+)")


class MissingMessageError(KeyError):
    """A message key is absent from a catalog, or formatting it failed."""


def normalise_language(code: str | None) -> str:
    """Map a platform language code to a supported language (``bg*`` → bg, else en)."""
    if code and code.strip().lower().replace("_", "-").startswith("bg"):
        return "bg"
    return DEFAULT_LANGUAGE


def catalog_files(language: str) -> list[tuple[str, str]]:
    """Return ``(file name, source)`` of every ``.ftl`` file of ``language``, sorted."""
    folder = resources.files("locales").joinpath(language)
    out: list[tuple[str, str]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ftl"):
            out.append((entry.name, entry.read_text(encoding="utf-8")))
    return out


class Catalog:
    """All messages of one language."""

    def __init__(self, language: str) -> None:
        """Load every ``locales/<language>/*.ftl`` file into one bundle."""
        self.language = language
        self._bundle = FluentBundle([language], use_isolating=False)
        for _name, source in catalog_files(language):
            self._bundle.add_resource(FluentResource(source))
        #: Messages formatted without arguments, by key: the same text every time, and
        #: most lookups of a step (buttons, labels, fixed lines) are of this kind.
        self._plain: dict[str, str] = {}

    def has(self, key: str) -> bool:
        """Whether ``key`` exists in this catalog."""
        return self._bundle.has_message(key)

    def t(self, key: str, /, **args: Any) -> str:
        """Format message ``key`` with ``args``; raise on a missing key or argument."""
        if not args:
            plain = self._plain.get(key)
            if plain is not None:
                return plain
        if not self._bundle.has_message(key):
            raise MissingMessageError(f"{self.language}: no message {key!r}")
        message = self._bundle.get_message(key)
        if message.value is None:
            raise MissingMessageError(f"{self.language}: message {key!r} has no value")
        fluent_args = {k: _fluent_value(v) for k, v in args.items()}
        text, errors = self._bundle.format_pattern(message.value, fluent_args)
        if errors:
            raise MissingMessageError(f"{self.language}: {key!r}: {errors[0]}")
        if not args:
            self._plain[key] = str(text)
            return self._plain[key]
        return _single_full_stop(str(text), args.values())


def _single_full_stop(text: str, values: Iterable[Any]) -> str:
    # An argument ending in a full stop ("1 200,00 лв.", "т.е.") at the end of a
    # sentence would give "лв.."; Bulgarian writes one full stop there.
    for value in values:
        if isinstance(value, str) and value.endswith(".") and not value.endswith(".."):
            text = text.replace(f"{value}.", value)
    return text


def _fluent_value(value: Any) -> Any:
    # Fluent formats numbers itself; everything we pass is pre-formatted text
    # except plain counts used for plural selection.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool):
        return str(value)
    return value


@functools.cache
def catalog(language: str) -> Catalog:
    """Return the (cached) catalog of a supported language."""
    if language not in LANGUAGES:
        raise MissingMessageError(f"unsupported language {language!r}")
    return Catalog(language)


def t(language: str, key: str, /, **args: Any) -> str:
    """Shortcut: ``catalog(language).t(key, **args)``."""
    return catalog(language).t(key, **args)


def message_placeables(source: str) -> dict[str, set[str]]:
    """Map each message id in Fluent ``source`` to the ``$variables`` it uses.

    Used by the catalog-consistency test and the graph check.
    """
    out: dict[str, set[str]] = {}
    current: str | None = None
    for line in source.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line[0].isspace() and "=" in line:
            current = line.split("=", 1)[0].strip()
            if current.startswith("-"):
                current = None
                continue
            out[current] = set(_PLACEABLE.findall(line.split("=", 1)[1]))
        elif current is not None:
            out[current] |= set(_PLACEABLE.findall(line))
    return out
