"""Benchmarks of the Rejection Coach (``make bench`` → ``python -m bench``).

Every figure is printed beside a baseline measured side by side in the same
run, and their ratio, because these machines are noisy and absolute times alone
mean little:

- ``startup``  — ``rejection-coach --help`` against ``python -c pass``.
- ``engine``   — steps/s and p50/p99 step latency of full conversations through
  the engine (flow + SQLite), against the flow alone.
- ``telegram`` — our bot against a bare python-telegram-bot echo bot, both
  polling the same Bot API stand-in in its own process; also PTB's best
  ``concurrent_updates``.
- ``slack``    — our app against a bare bolt echo ``AsyncApp``, signed events
  over HTTP.
- ``samework`` — our bots against bare PTB / bare bolt bots that make exactly
  our platform API calls (replayed from a playbook): CPU per update.
- ``pipeline`` — CPU per update of our bot in two configurations side by
  side (a baseline commit, or settings), e.g. before and with the outbox.
- ``memory``   — resident memory of the running bot with 10 000 against 100
  stored cases.
- ``scaling``  — updates/s of 2 against 1 ``serve`` workers on PostgreSQL
  (``BENCH_DATABASE_URL`` / ``TEST_DATABASE_URL``).
- ``webhook``  — 75 Telegram users through the webhook of 1 and 2 ``serve``
  workers on PostgreSQL: the webhook's answer p99, and the sendMessage rate
  and busiest 1 s window with a backlog (one rate limit for all workers).

``python -m bench --only engine,startup`` runs a subset. Results go to
``bench/results.json``; the table is Markdown, ready for the README.
"""
