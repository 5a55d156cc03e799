"""The engine: the one pipeline every channel calls (see :mod:`bot.engine.pipeline`).

- :mod:`~bot.engine.pipeline` — :class:`Engine`: load, run the coach, save with a
  version check, retry on conflict;
- :mod:`~bot.engine.results` — what goes in and comes out (:class:`IncomingMessage`,
  :class:`EngineResult`) and the :class:`EngineObserver` hook (metrics);
- :mod:`~bot.engine.effects` — the write phase: cases, effects, drafts;
- :mod:`~bot.engine.reminders` — claiming and rendering due reminders.
"""

from __future__ import annotations

from bot.engine.pipeline import DEFAULT_MAX_ATTEMPTS, Engine
from bot.engine.reminders import ReminderDelivery
from bot.engine.results import EngineObserver, EngineResult, IncomingMessage, input_kind

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Engine",
    "EngineObserver",
    "EngineResult",
    "IncomingMessage",
    "ReminderDelivery",
    "input_kind",
]
