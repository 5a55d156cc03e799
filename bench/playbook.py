"""What our bot sends at every step of the scripted conversations, rendered per platform.

The same-work baselines (:mod:`bench.telegram_samework`, :mod:`bench.slack_samework`)
are bare library bots with no coach, no storage and no state machine. To make the
same platform API calls as ours they replay a *playbook*: for every scripted
conversation and every action in it, the messages our renderers produce for
the pure Coach's answer (Telegram HTML and inline keyboards; Slack blocks),
whether the action is a button press (then the question is edited and the
press answered) and, for Slack, the App Home view published after the step.
Computed here once per run, in the parent process; the bare bots only read it.

Simulated user ``n`` walks script ``n % len(scripts)`` (as :class:`bench.loadgen.ClosedLoop`
assigns them), so a bare bot follows a user through its script with one counter.
"""

from __future__ import annotations

import functools
from typing import Any

from bench.conversation import input_for
from bench.scripts import make_coach, recordings
from flows.io import Outgoing, UserContext


@functools.cache
def _replayed() -> tuple[tuple[tuple[Any, ...], ...], ...]:
    """Every recorded conversation replayed through the pure Coach: (action, outgoing, case)."""
    from flows.case import CaseStatus

    coach = make_coach()
    out = []
    for rec in recordings():
        case = None
        last: list[Outgoing] = []
        steps = []
        for action in rec.actions:
            result = coach.handle(
                UserContext(language=rec.language, active_case=case), input_for(action, last)
            )
            last = list(result.outgoing)
            case = result.case
            active = case if case is not None and case.status == CaseStatus.ACTIVE else None
            steps.append((action, tuple(last), active, rec.language))
        out.append(tuple(steps))
    return tuple(out)


def telegram_playbook() -> list[list[dict[str, Any]]]:
    """Per script, per action: the Telegram messages (HTML, keyboard) and whether it is a press."""
    from bot.channels.telegram.render import render

    book = []
    for steps in _replayed():
        entries = []
        for action, outgoing, _case, language in steps:
            messages = []
            for message in render(outgoing):
                keyboard = None
                if message.keyboard is not None:
                    keyboard = [
                        [{"text": b.text, "callback_data": b.callback_data} for b in row]
                        for row in message.keyboard.inline_keyboard
                    ]
                messages.append({"html": message.html, "keyboard": keyboard})
            entries.append(
                {"press": action.kind == "press", "messages": messages, "language": language}
            )
        book.append(entries)
    return book


def slack_playbook() -> list[list[dict[str, Any]]]:
    """Per script, per action: the Slack messages, the App Home view, whether it is a press."""
    from bot.channels.slack import blocks
    from bot.channels.slack.home import step_texts

    book = []
    for steps in _replayed():
        entries = []
        for action, outgoing, case, language in steps:
            messages = [
                {"text": m.text, "blocks": m.blocks}
                for item in outgoing
                for m in blocks.render(item)
            ]
            step_name = next_action = client = None
            if case is not None:
                step_name, next_action = step_texts(language, str(case.step))
                client = case.answers.client_name
            home = blocks.home_view(
                language=language, step_name=step_name, client=client, next_action=next_action
            )
            entries.append({"press": action.kind == "press", "messages": messages, "home": home})
        book.append(entries)
    return book


def scripts_for(book: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The users' scripts with each step's message count as this platform renders it.

    The recordings count the coach's replies; Telegram merges consecutive replies
    into one message and Slack may split one, so a driver waiting for the
    recorded count would wait out a quiet step instead.
    """
    scripts = []
    for rec, entries in zip(recordings(), book, strict=True):
        actions = []
        for action, entry in zip(rec.actions, entries, strict=True):
            item = action.to_json()
            item["messages"] = max(1, len(entry["messages"]))
            actions.append(item)
        scripts.append({"language": rec.language, "actions": actions})
    return scripts
