"""The worker reads a model's stream from its event lines (not the SDK's typed chunks): the
text pieces and the usage, and the SDK's own errors for what goes wrong while reading."""

import json

import openai
import pytest

from challenges.arena.domain.streaming import read_stream_chunks

# The SDK's HTTP library in its recent releases (httpx in the older ones, the same classes).
httpx2 = pytest.importorskip("httpx2")


class Response:
    """What ``with_streaming_response`` hands over: its lines, then perhaps an error."""

    def __init__(self, lines, error=None):
        self.lines, self.error = lines, error
        self.http_response = httpx2.Response(200, request=httpx2.Request("POST", "http://x/v1"))

    def iter_lines(self):
        yield from self.lines
        if self.error is not None:
            raise self.error


def event(payload) -> str:
    return "data: " + json.dumps(payload)


def piece(text) -> str:
    return event({"object": "chat.completion.chunk", "choices": [{"delta": {"content": text}}]})


def test_pieces_and_the_usage_until_done():
    lines = [
        ": a comment",
        piece("Hola"),
        "",
        event({"choices": [{"delta": {"role": "assistant"}}]}),
        piece(" mundo"),
        event({"choices": [], "usage": {"completion_tokens": 7}}),
        "data: [DONE]",
        piece("after the end"),
    ]
    assert list(read_stream_chunks(Response(lines))) == [
        ("Hola", None),
        ("", None),
        (" mundo", None),
        ("", 7),
    ]


@pytest.mark.parametrize(
    ("lines", "error", "expected"),
    [
        ([piece("Ho"), event({"error": {"message": "sk-secret"}})], None, openai.APIError),
        ([piece("Ho"), "data: {not json"], None, openai.APIError),
        ([piece("Ho")], httpx2.ReadTimeout("slow"), openai.APITimeoutError),
        ([piece("Ho")], httpx2.RemoteProtocolError("cut"), openai.APIConnectionError),
    ],
    ids=["error event", "not json", "timeout", "cut"],
)
def test_what_goes_wrong_while_reading_is_the_sdks_error(lines, error, expected):
    chunks = read_stream_chunks(Response(lines, error))
    assert next(chunks) == ("Ho", None)
    with pytest.raises(expected) as raised:
        next(chunks)
    assert type(raised.value) is expected and "sk-secret" not in str(raised.value)
