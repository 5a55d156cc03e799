"""Local stand-ins of the platforms' HTTP APIs, shared by ``tests/`` and ``bench/``.

- :mod:`.telegram` — the Bot API (strict like Telegram, or lenient and fast for load),
  in the test's event loop or in a thread of its own (:class:`~.telegram.ThreadedBotApi`);
  :mod:`.telegram_html` parses Telegram HTML; :mod:`.telegram_user` plays a person.
- :mod:`.slack` — the Web API and Socket Mode.

The real python-telegram-bot and slack_sdk clients talk to them over HTTP on 127.0.0.1.
"""
