"""The README's WebSocket program, run as it is written, against the local WebSocket server."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

from tests.conftest import ROOT
from tests.servers import TestKeys
from tests.servers.ws import WsServer


def readme_program() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Real-time (WebSocket)", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "README.md has no python block under 'Real-time (WebSocket)'"
    return match.group(1)


def test_the_readme_program_has_at_most_ten_lines_of_code() -> None:
    assert len([line for line in readme_program().splitlines() if line.strip()]) <= 10


def test_the_readme_program_prints_balances_as_they_change(keys: TestKeys, tmp_path: Path) -> None:
    program = tmp_path / "portfolio.py"
    program.write_text(readme_program())
    env = {k: v for k, v in os.environ.items() if not k.startswith("COINBASE_")}
    env |= {
        "COINBASE_API_KEY_NAME": keys.ed25519_key_name,
        "COINBASE_API_PRIVATE_KEY": keys.ed25519_secret_b64,
        "PYTHONPATH": str(ROOT / "generated"),
    }
    with WsServer(keys.public_keys()) as server:
        env["COINBASE_DERIVATIVES_WS_URL"] = server.url
        process = subprocess.Popen([sys.executable, str(program)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            server.wait_for(lambda: server.subscribed("user.portfolio.btc"), 30)
            for balance in ("302.60065765", "302.5", "310"):
                server.publish("user.portfolio.btc", {"currency": "BTC", "balance": float(balance), "equity": 302.61869214})
            output: queue.Queue[str] = queue.Queue()
            stdout = process.stdout
            assert stdout is not None
            threading.Thread(target=lambda: [output.put(line.strip()) for line in stdout], daemon=True).start()
            lines = [output.get(timeout=20) for _ in range(3)]
        finally:
            process.kill()
            _, stderr = process.communicate(timeout=10)
    assert lines == ["BTC 302.60065765 302.61869214", "BTC 302.5 302.61869214", "BTC 310.0 302.61869214"], stderr
    assert server.methods()[:2] == ["public/auth", "private/subscribe"]
