"""The drift check (tools/drift.py): the hand-written gateway spec against Deribit's own OpenAPI description.

Every difference between a method of `specs/deribit/gateway.openrpc.yaml` and the same method in
`specs/deribit/deribit_openapi.json` (params: names, required-ness, types, enum values; results:
fields, types, enum values) must have a reason in an `x-drift` map. The real pair passes; each
kind of unexplained change fails, naming the method, the difference and the spec line.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from generator.load.documents import read_document
from tests.conftest import ROOT
from tools.drift import compare, main

SPEC = ROOT / "specs" / "deribit" / "gateway.openrpc.yaml"
VENDOR = ROOT / "specs" / "deribit" / "deribit_openapi.json"
# The vendor file is kept byte for byte (../shared/specs/deribit/deribit_openapi.json, Deribit API v2.1.1).
VENDOR_SHA256 = "2b5129f68f61859ce0b0ad9e17e13f387ee14f0643c5b0e633790f7ddcde548d"


def drift_of(tmp_path: Path, spec_text: str) -> tuple[int, str]:
    """Run the check on a changed copy of the spec; its exit code and report."""
    spec = tmp_path / "gateway.openrpc.yaml"
    spec.write_text(spec_text)
    result = subprocess.run(
        [sys.executable, "-m", "tools.drift", str(spec), str(VENDOR)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout + result.stderr


def changed(old: str, new: str, *, count: int = 1) -> str:
    text = SPEC.read_text()
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def test_the_vendor_description_is_deribits_file_byte_for_byte() -> None:
    assert hashlib.sha256(VENDOR.read_bytes()).hexdigest() == VENDOR_SHA256


def test_every_difference_of_the_gateway_spec_has_a_reason() -> None:
    report = compare(read_document(SPEC), read_document(VENDOR))
    assert not report.failed, "\n".join(report.lines())
    assert len(report.methods) == 37
    differences = sum(len(m.differences) for m in report.methods)
    assert differences > 100  # the check looks deep enough to find Deribit's quirks, and each has a reason


def test_make_drift_passes_on_the_repository() -> None:
    result = subprocess.run(["make", "-s", "drift"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unexplained; 0 stale" in result.stdout


def test_a_renamed_parameter_fails(tmp_path: Path) -> None:
    code, report = drift_of(tmp_path, changed("    OrderAmount:\n      name: amount\n", "    OrderAmount:\n      name: quantity\n"))
    assert code == 1
    for method in ("private/buy", "private/sell", "private/edit", "private/edit_by_label"):
        assert f"{method}: params.amount: a param of the vendor's only" in report
        assert f"{method}: params.quantity: a param of ours only" in report
    assert "gateway.openrpc.yaml:" in report and "/methods/" in report  # file, line and pointer of the method


def test_a_parameter_made_optional_fails(tmp_path: Path) -> None:
    text = changed(
        "        The instrument, e.g. `BTC_USDC-PERPETUAL` (the gateway's USDC-margined perpetual; INTX's\n"
        "        `BTC-PERP-INTX`).\n      required: true\n",
        "        The instrument.\n      required: false\n",
    )
    code, report = drift_of(tmp_path, text)
    assert code == 1
    assert "private/buy: params.instrument_name.required: ours is optional, the vendor's required" in report


def test_a_changed_parameter_type_fails(tmp_path: Path) -> None:
    text = changed(
        "    TriggerOffset:\n      name: trigger_offset\n      description: Trailing orders only. The maximum deviation from the price peak"
        " that triggers the order.\n      schema:\n        type: number\n",
        "    TriggerOffset:\n      name: trigger_offset\n      schema:\n        type: string\n",
    )
    code, report = drift_of(tmp_path, text)
    assert code == 1
    assert "private/buy: params.trigger_offset.type: ours is string, the vendor's is number" in report


def test_a_missing_enum_value_fails(tmp_path: Path) -> None:
    text = changed(
        "      enum: [good_til_cancelled, good_til_day, fill_or_kill, immediate_or_cancel]\n",
        "      enum: [good_til_cancelled, good_til_day, immediate_or_cancel]\n",
    )
    code, report = drift_of(tmp_path, text)
    assert code == 1
    assert "private/buy: params.time_in_force.enum: ours lacks fill_or_kill" in report
    assert "private/get_order_state: result.time_in_force.enum: ours lacks fill_or_kill" in report


def test_a_renamed_result_field_fails(tmp_path: Path) -> None:
    text = changed("        has_more:\n          description: Whether more trades match the request.\n",
                   "        more:\n          description: Whether more trades match the request.\n")  # fmt: skip
    code, report = drift_of(tmp_path, text)
    assert code == 1
    assert "private/get_user_trades_by_instrument: result.has_more: a field of the vendor's only" in report
    assert "private/get_user_trades_by_instrument: result.more: a field of ours only" in report


def test_a_reason_that_explains_nothing_fails(tmp_path: Path) -> None:
    # Typing `contract_size` as Deribit does makes its reason stale: the map must stay true.
    text = changed("        contract_size: {type: number, description:", "        contract_size: {type: integer, description:")
    code, report = drift_of(tmp_path, text)
    assert code == 1
    assert "`x-drift` explains 'contract_size.type', but no method differs from the vendor there" in report


def test_a_reason_must_say_something(tmp_path: Path) -> None:
    text = changed(
        "      result.*: 'Deribit''s description points", "      result.*: ''\n      x-unused: 'Deribit''s description points", count=2
    )
    code, report = drift_of(tmp_path, text)
    assert code == 1
    assert "`x-drift` 'result.*' needs a reason (a non-empty string)" in report


def test_a_method_the_vendor_lacks_needs_a_reason(tmp_path: Path) -> None:
    text = changed("  - name: public/get_time\n", "  - name: public/get_server_time\n")
    code, report = drift_of(tmp_path, text)
    assert code == 1
    assert "public/get_server_time: method: the vendor has no `/public/get_server_time`" in report


def test_a_schema_reason_explains_the_difference_for_every_method_using_the_schema() -> None:
    report = compare(read_document(SPEC), read_document(VENDOR))
    uses = [m.method for m in report.methods if any(d.key.endswith("order_type.enum") and "result" in d.key for d in m.differences)]
    # One reason on `Order`, twelve methods whose results hold orders.
    assert len(uses) == 12 and not any(m.unexplained for m in report.methods)


def test_an_unreadable_spec_is_an_error_with_its_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "gateway.openrpc.yaml"
    spec.write_text("openrpc: 1.3.2\nmethods: {}\n")
    assert main([str(spec), str(VENDOR)]) == 2
    assert "gateway.openrpc.yaml:2: /methods: an OpenRPC document needs a `methods` list" in capsys.readouterr().err


def test_the_tool_is_ruff_clean() -> None:
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([str(bin_dir / "ruff"), "check", "--no-cache", "tools"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
