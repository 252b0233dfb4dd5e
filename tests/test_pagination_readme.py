"""The README's "Responses, arguments and pages" examples, run as written against a local server.

generated/README.md documents lenient vs strict responses, omit vs null, the escape hatches,
`with_options` and pages with Python blocks; each is executed here with `client` and
`async_client` bound to clients of a local server that serves products in pages (5 products, some
fields missing so the lenient path shows).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from coinbase_sdk import AsyncClient, Client

from tests.servers.keys import TestKeys
from tests.servers.records import RecordedRequest
from tests.servers.scripted import ScriptedServer

README = Path(__file__).resolve().parent.parent / "generated" / "README.md"
PRODUCTS = [{"product_id": f"P{i}", "price": "1.5"} for i in range(5)]


def section_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Responses, arguments and pages", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def answer(record: RecordedRequest) -> tuple[int, Any]:
    query = {k: v[-1] for k, v in record.query.items()}
    offset, limit = int(query.get("offset", 0)), int(query.get("limit", 2))
    return 200, {"products": PRODUCTS[offset : offset + limit], "num_products": len(PRODUCTS)}


def test_the_section_has_the_documented_examples() -> None:
    blocks = section_blocks()
    assert len(blocks) == 3
    assert "strict_response_validation=True" in blocks[0] and "model_mismatches()" in blocks[0]
    assert "NOT_GIVEN" in blocks[1] and "extra_query" in blocks[1] and "with_options" in blocks[1]
    assert "has_next_page()" in blocks[2] and "async for" in blocks[2]


def test_the_readme_examples_run_as_written(keys: TestKeys, capsys: pytest.CaptureFixture[str]) -> None:
    kwargs = {"api_key_name": keys.ed25519_key_name, "api_private_key": keys.ed25519_secret_b64, "timeout": 5}
    with ScriptedServer(answer) as server, Client(**kwargs, advanced_trade_base_url=server.url) as client:
        async_client = AsyncClient(**kwargs, advanced_trade_base_url=server.url)
        namespace: dict[str, Any] = {"client": client, "async_client": async_client}
        for block in section_blocks():
            exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 (the README's own code)

        async def run_async() -> Any:
            try:
                return await namespace["everything_async"]()
            finally:
                await async_client.close()

        items = asyncio.run(run_async())
        output = capsys.readouterr().out
        assert "server drifted: ('products', 0, 'base_increment') missing None" in output
        assert "strict: the response does not match Products" in output
        assert "'limit' cannot be null" in output
        assert [p.product_id for p in namespace["everything"]] == [p["product_id"] for p in PRODUCTS]
        assert [p.product_id for p in items] == [p["product_id"] for p in PRODUCTS]
        assert not namespace["page"].has_next_page()  # the loop ended on the last page (the empty one: no limit given)
        sent = [r.query for r in server.requests]
        assert {"limit": ["25"], "trace": ["1"]} in sent and any(r.headers.get("x-source") == "docs" for r in server.requests)
