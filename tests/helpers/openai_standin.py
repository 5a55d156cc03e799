"""A local OpenAI-compatible chat-completions server, over real HTTP on 127.0.0.1.

The real ``openai`` SDK is pointed at :attr:`OpenAIStandIn.base_url`. Each test
scripts the next answers (:meth:`OpenAIStandIn.script`): a rewrite, an HTTP
error with optional headers (a 500, a 429 with ``Retry-After``), a refusal, an
empty or cut-off answer, a body that is not JSON, or a delay beyond the
client's timeout. Every request is recorded (path, headers, decoded JSON body)
so tests can assert on exactly what left the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

MODEL = "standin-model"


@dataclass(frozen=True, slots=True)
class Scripted:
    """One scripted answer of the stand-in."""

    content: str | None = None
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    refusal: str | None = None
    finish_reason: str = "stop"
    delay_seconds: float = 0.0
    raw_body: str | None = None
    choices: bool = True
    #: Answer with the request's own letter, reworked (see :func:`polish_letter`).
    transform: str | None = None


def rewrite(text: str) -> Scripted:
    """A 200 answer whose message content is ``text``."""
    return Scripted(content=text)


def error(status: int, *, retry_after: str | None = None) -> Scripted:
    """An HTTP error with an OpenAI-shaped error body (and ``Retry-After`` if given)."""
    headers = (("retry-after", retry_after),) if retry_after is not None else ()
    return Scripted(status=status, headers=headers)


def refusal(text: str = "I can't help with that.") -> Scripted:
    """A 200 answer in which the model refuses (``message.refusal`` set, no content)."""
    return Scripted(refusal=text)


def slow(seconds: float, text: str = "too late") -> Scripted:
    """A rewrite that is sent only after ``seconds`` (or when the stand-in stops)."""
    return Scripted(content=text, delay_seconds=seconds)


def not_json() -> Scripted:
    """A 200 answer whose body is not JSON at all."""
    return Scripted(raw_body="<html>gateway says hi</html>")


#: The sentence :func:`polish_letter` adds, by the request's reply language.
ADDED_SENTENCE = {
    "Bulgarian": "Благодаря Ви за търпението и за откровеността.",
    "English": "Thank you for your patience and for being so open with me.",
}


def polish_letter(*, drop_amounts: bool = False) -> Scripted:
    """A 200 answer made from the letter in the request: one sentence added before the end.

    With ``drop_amounts`` every amount of money and percentage is cut out as well
    (a rewrite the check must reject).
    """
    return Scripted(transform="drop_amounts" if drop_amounts else "polish")


_LETTER = re.compile(r"<<<\n(.*)\n>>>", re.DOTALL)
_LANGUAGE = re.compile(r"Reply language: (\w+)")
_AMOUNT = re.compile(r"(?:€|лв\.?)\s?[\d\s.,]*\d|\d[\d\s.,\u00a0\u202f]*\s?(?:€|лв\.?|%)")


def _reworked(body: dict[str, Any], transform: str) -> str:
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    letter_match = _LETTER.search(user)
    language_match = _LANGUAGE.search(user)
    letter = letter_match.group(1) if letter_match else ""
    language = language_match.group(1) if language_match else "English"
    paragraphs = letter.split("\n\n")
    paragraphs.insert(max(1, len(paragraphs) - 1), ADDED_SENTENCE.get(language, "Thanks."))
    text = "\n\n".join(paragraphs)
    if transform == "drop_amounts":
        text = _AMOUNT.sub("", text)
    return text


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the stand-in received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of the request."""
        return list(self.body.get("messages", []))


@dataclass
class OpenAIStandIn:
    """Serve ``/v1/chat/completions``; answer from the script, then the default."""

    default: Scripted = field(default_factory=lambda: Scripted(content="Hello."))
    requests: list[RecordedRequest] = field(default_factory=list)
    port: int = 0
    _queue: list[Scripted] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        """Value for ``LLM_BASE_URL``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *answers: Scripted) -> None:
        """Queue the next answers, in order; the default answers once they are used."""
        self._queue.extend(answers)

    def everything_sent(self) -> str:
        """Every request's raw body and headers, joined (for "never sent" asserts)."""
        return "\n".join(
            r.raw + "\n" + json.dumps(r.headers, ensure_ascii=False) for r in self.requests
        )

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def close(self) -> None:
        """Release every delayed answer and stop serving."""
        self._stopping.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        raw = await request.text()
        body = json.loads(raw)
        self.requests.append(
            RecordedRequest(path=request.path, headers=dict(request.headers), body=body, raw=raw)
        )
        answer = self._queue.pop(0) if self._queue else self.default
        if answer.delay_seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), answer.delay_seconds)
        headers = dict(answer.headers)
        if answer.raw_body is not None:
            return web.Response(
                status=answer.status, text=answer.raw_body, content_type="application/json"
            )
        if answer.status >= 400:
            payload = {
                "error": {
                    "message": f"scripted HTTP {answer.status}",
                    "type": "server_error" if answer.status >= 500 else "invalid_request_error",
                    "code": None,
                }
            }
            return web.json_response(payload, status=answer.status, headers=headers)
        return web.json_response(self._completion(body, answer), headers=headers)

    def _completion(self, body: dict[str, Any], answer: Scripted) -> dict[str, Any]:
        content = answer.content
        if answer.transform is not None:
            content = _reworked(body, answer.transform)
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if answer.refusal is not None:
            message = {"role": "assistant", "content": None, "refusal": answer.refusal}
        choices = [{"index": 0, "message": message, "finish_reason": answer.finish_reason}]
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": body.get("model", MODEL),
            "choices": choices if answer.choices else [],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }


class ThreadedStandIn:
    """The stand-in on its own event loop in a thread, for a test that blocks (pexpect)."""

    def __init__(self, *, default: Scripted | None = None) -> None:
        """Prepare the server; ``default`` answers every request the script does not."""
        self.server = OpenAIStandIn(default=default or Scripted(content="Hello."))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> OpenAIStandIn:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(timeout=10)
        return self.server

    def __exit__(self, *_exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
