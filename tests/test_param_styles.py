"""Parameters go on the wire exactly as the OpenAPI style tables say (probe spec, real sockets).

Each case sends a primitive, an array and an object through one style × explode, then checks
(1) the raw request text against the example of the specification's table and (2) that a server
reading the request by the OpenAPI rules (tests/servers/styles.py) gets the values back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.probe_sdk import PROBE_SPEC, probe_sdk
from tests.servers.styles import StyleServer

PRIM = "blue"
ARR = ["blue", "black", "brown"]
OBJ = {"R": 100, "G": 200}


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return probe_sdk(tmp_path_factory)


@pytest.fixture(scope="module")
def server() -> Iterator[StyleServer]:
    with StyleServer(PROBE_SPEC) as running:
        yield running


@pytest.fixture
def client(sdk: ModuleType, server: StyleServer) -> Iterator[Any]:
    with sdk.Client(probe_base_url=server.url, max_retries=0) as probe:
        yield probe.probe


PATH_CASES = {
    # (style, explode): (primitive, array, object) segments, from the specification's table
    ("simple", False): ("blue", "blue,black,brown", "R,100,G,200"),
    ("simple", True): ("blue", "blue,black,brown", "R=100,G=200"),
    ("label", False): (".blue", ".blue,black,brown", ".R,100,G,200"),  # RFC 6570 (the OpenAPI 3.0.3 table's dots were an error)
    ("label", True): (".blue", ".blue.black.brown", ".R=100.G=200"),
    ("matrix", False): (";prim=blue", ";arr=blue,black,brown", ";obj=R,100,G,200"),
    ("matrix", True): (";prim=blue", ";arr=blue;arr=black;arr=brown", ";R=100;G=200"),
}


@pytest.mark.parametrize(("style", "explode"), list(PATH_CASES))
def test_path_parameters_follow_the_style_table(client: Any, server: StyleServer, style: str, explode: bool) -> None:
    tag = f"{style}_{'explode' if explode else 'flat'}"
    getattr(client.path, f"path_{tag}")(PRIM, ARR, OBJ)
    record = server.last()
    assert record.path == f"/path/{tag}/" + "/".join(PATH_CASES[(style, explode)])
    assert record.extra["params"] == {"prim": PRIM, "arr": ARR, "obj": OBJ}


QUERY_CASES = {
    ("form", True): "q_prim=blue&q_arr=blue&q_arr=black&q_arr=brown&R=100&G=200",
    ("form", False): "q_prim=blue&q_arr=blue,black,brown&q_obj=R,100,G,200",
    ("spaceDelimited", False): "q_arr=blue%20black%20brown&q_obj=R%20100%20G%20200",
    ("pipeDelimited", False): "q_arr=blue|black|brown&q_obj=R|100|G|200",
    ("deepObject", True): "q_obj[R]=100&q_obj[G]=200",
}


@pytest.mark.parametrize(("style", "explode"), list(QUERY_CASES))
def test_query_parameters_follow_the_style_table(client: Any, server: StyleServer, style: str, explode: bool) -> None:
    tag = f"{style}_{'explode' if explode else 'flat'}"
    values = {"q_prim": PRIM, "q_arr": ARR, "q_obj": OBJ}
    names = [p["name"] for p in next(r for r in server.routes if r.template == f"/query/{tag}").parameters]
    method = {"spaceDelimited": "space_delimited", "pipeDelimited": "pipe_delimited", "deepObject": "deep_object"}.get(style, style)
    getattr(client.query, f"query_{method}_{tag.split('_')[1]}")(**{name: values[name] for name in names})
    record = server.last()
    assert sorted(record.raw_query.split("&")) == sorted(QUERY_CASES[(style, explode)].split("&"))
    assert record.extra["params"] == {name: values[name] for name in names}


def test_a_scalar_with_spaces_and_reserved_characters_is_percent_encoded(client: Any, server: StyleServer) -> None:
    client.query.query_form_flat(q_prim="a b&c=d/é", q_arr=["x,y", "z"])
    record = server.last()
    assert "q_prim=a%20b%26c%3Dd%2F%C3%A9" in record.raw_query and "q_arr=x%2Cy,z" in record.raw_query
    assert record.extra["params"]["q_prim"] == "a b&c=d/é" and record.extra["params"]["q_arr"] == ["x,y", "z"]


def test_allow_reserved_keeps_reserved_characters_that_cannot_split_the_query(client: Any, server: StyleServer) -> None:
    client.query.query_reserved(url="http://x.test/a?b=c:d", plain="http://x.test/a")
    record = server.last()
    assert "url=http://x.test/a?b%3Dc:d" in record.raw_query
    assert "plain=http%3A%2F%2Fx.test%2Fa" in record.raw_query
    assert record.extra["params"] == {"url": "http://x.test/a?b=c:d", "plain": "http://x.test/a"}


def test_a_content_typed_query_parameter_is_sent_as_json(client: Any, server: StyleServer) -> None:
    client.query.query_content(filter=OBJ)
    record = server.last()
    assert record.raw_query == "filter=" + "%7B%22R%22%3A100%2C%22G%22%3A200%7D"
    assert record.extra["params"] == {"filter": OBJ}


@pytest.mark.parametrize("explode", [False, True])
def test_header_parameters_are_simple_style(client: Any, server: StyleServer, explode: bool) -> None:
    tag = "explode" if explode else "flat"
    getattr(client.header, f"header_{tag}")(x_prim=PRIM, x_arr=ARR, x_obj=OBJ)
    record = server.last()
    assert record.headers["x-arr"] == "blue,black,brown"
    assert record.headers["x-obj"] == ("R=100,G=200" if explode else "R,100,G,200")
    assert record.extra["params"] == {"X-Prim": PRIM, "X-Arr": ARR, "X-Obj": OBJ}


@pytest.mark.parametrize("explode", [False, True])
def test_cookie_parameters_are_sent_in_the_cookie_header(client: Any, server: StyleServer, explode: bool) -> None:
    tag = "explode" if explode else "flat"
    getattr(client.cookie, f"cookie_{tag}")(c_prim=PRIM, c_arr=ARR)
    record = server.last()
    expected = "c_arr=blue; c_arr=black; c_arr=brown" if explode else "c_arr=blue,black,brown"
    assert record.headers["cookie"] == f"c_prim=blue; {expected}"
    assert record.extra["params"] == {"c_prim": PRIM, "c_arr": ARR}


def test_left_out_optional_parameters_send_nothing(client: Any, server: StyleServer) -> None:
    client.query.query_deep_object_explode()
    client.cookie.cookie_flat()
    records = server.requests.snapshot()[-2:]
    assert records[0].raw_query == "" and "cookie" not in records[1].headers


def test_the_async_client_serializes_the_same_way(sdk: ModuleType, server: StyleServer) -> None:
    async def call() -> None:
        async with sdk.AsyncClient(probe_base_url=server.url, max_retries=0) as probe:
            await probe.probe.path.path_matrix_explode(PRIM, ARR, OBJ)
            await probe.probe.query.query_deep_object_explode(q_obj=OBJ)

    asyncio.run(call())
    path, query = server.requests.snapshot()[-2:]
    assert path.path.endswith("/;prim=blue/;arr=blue;arr=black;arr=brown/;R=100;G=200")
    assert query.raw_query == "q_obj[R]=100&q_obj[G]=200"


def test_each_parameter_style_is_in_the_ir_and_api_json(sdk: ModuleType) -> None:
    from importlib.resources import files

    surface = json.loads(files(sdk).joinpath("api.json").read_text(encoding="utf-8"))
    params = surface["apis"]["probe"]["operations"]["query.query_space_delimited_flat"]["params"]
    assert params["q_arr"]["style"] == "spaceDelimited" and params["q_obj"]["style"] == "spaceDelimited"


def test_sdkgen_diff_reports_a_changed_style_and_a_changed_media_type(sdk: ModuleType) -> None:
    import copy
    from importlib.resources import files

    from generator.surface.diff import diff_surfaces

    old = json.loads(files(sdk).joinpath("api.json").read_text(encoding="utf-8"))
    new = copy.deepcopy(old)
    operations = new["apis"]["probe"]["operations"]
    operations["query.query_form_flat"]["params"]["q_arr"]["style"] = "form+explode"
    operations["bodies.body_choice"]["request"] = ["multipart/form-data"]
    changes = {(c.kind, c.subject): c for c in diff_surfaces(old, new)}
    style = changes[("param-style-changed", "client.probe.query.query_form_flat(q_arr)")]
    assert "`form` → `form+explode`" in style.message and not style.breaking
    media = changes[("operation-media-type-changed", "client.probe.bodies.body_choice")]
    assert "multipart/form-data" in media.message and media.breaking


def test_each_response_media_type_is_in_api_json_and_a_change_is_reported(sdk: ModuleType) -> None:
    import copy
    from importlib.resources import files

    from generator.surface.diff import diff_surfaces

    old = json.loads(files(sdk).joinpath("api.json").read_text(encoding="utf-8"))
    operations = old["apis"]["probe"]["operations"]
    assert operations["files.download"]["response"] == "application/octet-stream"
    assert operations["files.readme"]["response"] == "text/plain"
    new = copy.deepcopy(old)
    new["apis"]["probe"]["operations"]["files.readme"]["response"] = "text/markdown"
    changes = {(c.kind, c.subject): c for c in diff_surfaces(old, new)}
    media = changes[("operation-response-media-type-changed", "client.probe.files.readme")]
    assert "answers `text/markdown` (was `text/plain`)" in media.message and not media.breaking
