"""A real SMTP server for the tests (aiosmtpd, in a thread): it keeps every message it
accepts, and can hold its reply to DATA until told to answer (a server slow to confirm)."""

from __future__ import annotations

import contextlib
import email
import socket
import threading
import time
from email.message import Message

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.messages: list[Message] = []
        self.received = threading.Event()  # a message came in (its reply maybe held)
        self.answer = threading.Event()  # reply to DATA
        self.answer.set()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content))
        self.received.set()
        while not self.answer.is_set():  # held: the sender waits for "250"
            await _sleep(0.05)
        return "250 Message accepted for delivery"


async def _sleep(seconds: float) -> None:
    import asyncio  # noqa: PLC0415 -- only the server's thread needs it

    await asyncio.sleep(seconds)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    recorder.url = f"smtp://127.0.0.1:{controller.port}"
    recorder.port = controller.port
    try:
        yield recorder
    finally:
        recorder.answer.set()
        time.sleep(0.1)
        controller.stop()
