"""Stoplight Prism, a real OpenAPI validator, accepts every request the probe SDK sends.

Prism (npm `@stoplight/prism-cli`, pinned in tests/npm) mocks the probe spec with `--errors`: a
request that breaks the spec (a parameter in the wrong style, a body of the wrong media type or
shape) is answered 422 with what was wrong. Each case below is one operation of the probe spec;
the SDK must send it so that Prism finds nothing to complain about.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.probe_sdk import PROBE_SPEC, probe_sdk
from tests.servers.base import free_port

PRISM = ROOT / "tests" / "npm" / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not PRISM.is_file() or shutil.which("node") is None,
        reason="Stoplight Prism not installed: `make test` installs it (npm ci --prefix tests/npm); node is needed",
    ),
]

STREAMS = ("complete_stream", "ticks")
LOG: list[str] = []  # what Prism printed, for the failure messages
ARR = ["blue", "black", "brown"]
OBJ = {"R": 100, "G": 200}

# Left out, because Prism 5.16 itself gets them wrong (tests/test_param_styles.py checks them against
# the specification's tables): a path value with a `,` (arrays and objects in `simple`, `label` and
# non-exploded `matrix` style) crashes its server ("parameters[name].startsWith is not a function":
# it splits the segment before the style sees it), and it splits an exploded `label` object on `,`
# where RFC 6570 and OpenAPI use `.`.
# The pipeDelimited and spaceDelimited operations crash it too (an object parameter in those styles). The query objects of the probe spec require none
# of their members: Prism validates an absent exploded object as `{}`.
# Also left out of the multipart case: array parts (repeated parts) and JSON object parts, which Prism
# reads as single strings.
CASES: dict[str, Callable[[Any], Any]] = {
    "path_matrix_explode": lambda p: p.path.path_matrix_explode("blue", ARR, OBJ),
    "query_form_explode": lambda p: p.query.query_form_explode(q_prim="a b", q_arr=ARR, q_obj=OBJ),
    "query_form_flat": lambda p: p.query.query_form_flat(q_prim="a,b", q_arr=ARR, q_obj=OBJ),
    "query_deep_object": lambda p: p.query.query_deep_object_explode(q_obj=OBJ),
    "query_reserved": lambda p: p.query.query_reserved(url="http://x.test/a?b", plain="c/d"),
    "query_content": lambda p: p.query.query_content(filter=OBJ),
    "header_flat": lambda p: p.header.header_flat(x_prim="blue", x_arr=ARR, x_obj=OBJ),
    "header_explode": lambda p: p.header.header_explode(x_prim="blue", x_arr=ARR, x_obj=OBJ),
    "cookie_flat": lambda p: p.cookie.cookie_flat(c_prim="blue", c_arr=ARR),
    "cookie_explode": lambda p: p.cookie.cookie_explode(c_prim="blue", c_arr=ARR),
    "body_json": lambda p: p.bodies.body_json(name="n", tags=["a"], filter=OBJ, size=2),
    "body_multipart": lambda p: p.bodies.body_multipart(file=io.BytesIO(b"\x89PNG"), purpose="batch", count=2, note="n"),
    "body_multipart_file_tuple": lambda p: p.bodies.body_multipart(file=("a.png", b"\x89PNG", "image/png"), purpose="assistants"),
    "body_multipart_part_headers": lambda p: p.bodies.body_multipart(
        file=("a.png", b"\x89PNG", "image/png", {"X-Checksum": "abc"}), purpose="batch", note="n"
    ),
    "body_form": lambda p: p.bodies.body_form(name="a b", tags=ARR, filter=OBJ, size=3),
    "body_choice_json": lambda p: p.bodies.body_choice(name="n", size=1),
    "body_choice_form": lambda p: p.bodies.body_choice(name="n", size=1, content_type="application/x-www-form-urlencoded"),
    "body_choice_multipart": lambda p: p.bodies.body_choice(name="n", size=1, content_type="multipart/form-data"),
    "body_binary": lambda p: p.bodies.body_binary(body=iter([b"abc", b"def"])),
    "body_image": lambda p: p.bodies.body_image(body=b"\xff\xd8", content_type="image/jpeg"),
    "body_text": lambda p: p.bodies.body_text(body="héllo"),
    "complete": lambda p: p.events.complete(prompt="hi"),
    "complete_stream": lambda p: list(p.events.complete_stream(prompt="hi")),
    "ticks": lambda p: list(p.events.ticks(symbol="BTC")),
    "download": lambda p: p.files.download(),
    "download_streamed": lambda p: _read_streamed(p),
    "readme": lambda p: p.files.readme(),
}


def _read_streamed(p: Any) -> bytes:
    with p.files.with_streaming_response.download() as response:
        return bytes(response.read())


@pytest.fixture(scope="module")
def prism() -> Iterator[str]:
    for _attempt in range(3):  # a port another worker took between choosing and binding it: try another
        port = free_port()
        server = subprocess.Popen(
            ["node", str(PRISM), "mock", str(PROBE_SPEC), "--errors", "-h", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if _listening(server):
            break
        server.kill()
        server.wait(timeout=10)
    else:
        raise RuntimeError("Prism did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _listening(server: subprocess.Popen[str]) -> bool:
    deadline = time.monotonic() + 90
    assert server.stdout is not None
    while time.monotonic() < deadline and server.poll() is None:
        line = server.stdout.readline()
        if "Prism is listening" in line:
            # Keep reading its log (unread, a full pipe would stall Prism).
            import threading

            threading.Thread(target=lambda: LOG.extend(server.stdout or ()), daemon=True).start()
            return True
    return False


@pytest.fixture(scope="module")
def client(prism: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sdk: ModuleType = probe_sdk(tmp_path_factory)
    with sdk.Client(probe_base_url=prism, max_retries=0) as probe:
        yield probe.probe


@pytest.mark.parametrize("case", sorted(CASES))
def test_prism_accepts_the_request(client: Any, case: str) -> None:
    try:
        CASES[case](client)
    except Exception as error:  # a 422 carries Prism's list of violations
        status = getattr(error, "status_code", None)
        assert status != 422, f"Prism refused the request: {getattr(error, 'body', error)}"
        if status == 500 and case in STREAMS:  # Prism cannot make up an event stream, after it validated the request
            assert "The request passed the validation rules" in "".join(LOG[-12:]), "".join(LOG[-15:])
            return
        assert status is None, f"{error!r}; Prism's log ends: {''.join(LOG[-15:])}"
        # Prism's generated example may not be what the SDK can parse (a made-up event stream, text for a
        # decimal...): the request was accepted, which is what this test checks.
        assert type(error).__name__ in ("APIResponseValidationError",), repr(error)
