"""The OpenAI spec's SDK streams a chat completion from a local SSE server and uploads a file with multipart.

tests/fixtures/real/openai.openapi.yaml (openai/openai-openapi, as vendored): `createChatCompletion`
answers JSON or `text/event-stream` by its `stream` body flag, so the SDK has
`create_chat_completion()` and `create_chat_completion_stream()`; `createFile` takes
multipart/form-data with a binary `file` part. The local server reads both by the OpenAPI rules.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.config import from_arguments
from generator.pipeline import generate
from tests.conftest import FIXTURES
from tests.servers.styles import Streamed, StyleServer

SPEC = FIXTURES / "real" / "openai.openapi.yaml"
# OpenAI marks `finish_reason` with 3.0's `nullable: true`; the generator honours it in 3.1 documents too (issue 17).


@pytest.fixture(scope="module")
def openai_sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    output = tmp_path_factory.mktemp("openai")
    generate(from_arguments(package="oai_sdk", output=output, openapi=[f"api={SPEC}"], openrpc=[], overlays=[], version="0.1.0"))
    sys.path.insert(0, str(output))
    try:
        import oai_sdk

        yield oai_sdk
    finally:
        sys.path.remove(str(output))
        for name in [m for m in sys.modules if m.split(".")[0] == "oai_sdk"]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server() -> Iterator[StyleServer]:
    with StyleServer(SPEC) as running:
        yield running


def chunk(content: str, finish: str | None = None) -> bytes:
    data = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data)}\n\n".encode()


def test_a_chat_completion_streams_from_a_local_sse_server(openai_sdk: ModuleType, server: StyleServer) -> None:
    server.streams["/chat/completions"] = [Streamed([chunk("Hel"), chunk("lo"), chunk("", "stop"), b"data: [DONE]\n\n"])]
    with openai_sdk.Client(api_base_url=server.url, api_key_token="sk-test") as client:
        with client.api.chat.create_chat_completion_stream(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}]) as stream:
            chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello"
    assert type(chunks[0]).__name__ == "CreateChatCompletionStreamResponse"
    assert chunks[-1].choices[0].finish_reason == "stop"
    record = server.last()
    body = json.loads(record.body)
    assert body["stream"] is True and body["model"] == "gpt-4o" and body["messages"] == [{"role": "user", "content": "Hi"}]
    assert record.headers["authorization"] == "Bearer sk-test" and record.headers["accept"] == "text/event-stream"


def test_a_file_uploads_with_multipart(openai_sdk: ModuleType, server: StyleServer, tmp_path: Path) -> None:
    upload = tmp_path / "train.jsonl"
    upload.write_bytes(b'{"prompt": "a"}\n')
    server.responses["createFile"] = (
        200,
        json.dumps(
            {
                "id": "file-1",
                "object": "file",
                "bytes": 16,
                "created_at": 1700000000,
                "filename": "train.jsonl",
                "purpose": "fine-tune",
                "status": "uploaded",
            }
        ).encode(),
        {"Content-Type": "application/json"},
    )
    with openai_sdk.Client(api_base_url=server.url, api_key_token="sk-test") as client, upload.open("rb") as handle:
        created = client.api.files.create_file(file=handle, purpose="fine-tune")
    assert created.id == "file-1"
    record = server.last()
    assert record.headers["content-type"].startswith("multipart/form-data; boundary=")
    parts = {part["name"]: part for part in record.extra["body"]["multipart"]}
    assert parts["file"]["filename"] == "train.jsonl" and parts["file"]["content"] == b'{"prompt": "a"}\n'
    assert parts["purpose"]["content"] == b"fine-tune"
