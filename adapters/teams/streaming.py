"""Teams streaming in 1:1 chats (``streaminfo`` entities), per "Stream bot messages" (msteams-docs).

Sequence: an informative ``typing`` activity (``streamSequence`` 1; its id becomes the ``streamId``),
``typing`` updates carrying the *whole* text so far (sequence 2, 3, ... at most one per ``interval``
seconds, each sent only after the previous one was accepted), then the final ``message`` with
``streamType: final`` and no sequence. Citations, AI label and feedback go on the final message only.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from bot.errors import BackendError
from bot.models import Answer
from bot.ports import AnswerDelta

DEFAULT_INTERVAL = 1.5  # Teams asks for <= 1 request/s and suggests buffering 1.5-2 s of tokens


class StreamStopped(Exception):
    """The user pressed Stop: Teams refuses further updates of that stream (403 ContentStreamNotAllowed).
    The turn ends quietly: no final message, no error reply."""


class Sender(Protocol):
    async def send(self, activity: dict[str, Any]) -> str | None: ...


class TeamsStream:
    def __init__(
        self,
        sender: Sender,
        *,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sender = sender
        self.interval = interval
        self._clock = clock
        self.sequence = 0
        self.stream_id: str | None = None
        self._last_sent = float("-inf")
        self._last_text = ""

    def _info(self, stream_type: str, *, final: bool = False) -> dict[str, Any]:
        info: dict[str, Any] = {"type": "streaminfo", "streamType": stream_type}
        if self.stream_id:
            info["streamId"] = self.stream_id
        if not final:
            info["streamSequence"] = self.sequence
        return info

    async def _typing(self, text: str, stream_type: str) -> None:
        self.sequence += 1
        info = self._info(stream_type)
        channel_data = {k: v for k, v in info.items() if k != "type"}
        sent_id = await self._sender.send(
            {"type": "typing", "text": text, "entities": [info], "channelData": channel_data}
        )
        if self.stream_id is None:
            self.stream_id = sent_id
        self._last_sent = self._clock()

    async def informative(self, text: str) -> None:
        """The blue progress line ("Searching the knowledge base..."); starts the stream."""
        await self._typing(text[:1000], "informative")

    async def update(self, text: str) -> bool:
        """Send the accumulated ``text`` if the interval has passed and it grew; True if sent."""
        if not text.strip() or text == self._last_text or self._clock() - self._last_sent < self.interval:
            return False
        await self._typing(text, "streaming")
        self._last_text = text
        return True

    async def finish(self, activity: dict[str, Any]) -> str | None:
        """Send the final ``message`` (already rendered) as the end of this stream."""
        final = dict(activity)
        final["entities"] = [*final.get("entities", []), self._info("final", final=True)]
        channel_data = dict(final.get("channelData") or {})
        channel_data["streamType"] = "final"
        if self.stream_id:
            channel_data["streamId"] = self.stream_id
        final["channelData"] = channel_data
        return await self._sender.send(final)


async def stream_answer(stream: TeamsStream, parts: AsyncIterator[AnswerDelta | Answer]) -> Answer:
    """Feed a ``StreamingAnswerer.stream()`` into ``stream``; return the final Answer it ends with."""
    text = ""
    async for part in parts:
        if isinstance(part, Answer):
            return part
        text += part.text
        await stream.update(text)
    raise BackendError("the answer stream ended without a final answer")
