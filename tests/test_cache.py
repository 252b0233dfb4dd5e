"""The validation cache (semantic checks, `sdkgen check`): an unchanged spec is not validated twice, and a
cached answer is the same answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import Diagnostics, SpecError
from generator.load import validate
from generator.load.documents import read_document
from tests.conftest import FIXTURES


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def warnings_of(path: Path) -> list[str]:
    diagnostics = Diagnostics()
    validate.validate_openapi(read_document(path), diagnostics)
    return [str(d) for d in diagnostics.items]


def test_unchanged_spec_is_answered_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = FIXTURES / "specs" / "seed_intx_balances.yaml"
    first = warnings_of(spec)
    assert len(list(cache.glob("*.json"))) == 1

    def must_not_run(*args: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(validate, "semantic_findings", must_not_run)
    assert warnings_of(spec) == first


def test_changed_spec_misses_the_cache(cache: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = (FIXTURES / "specs" / "seed_intx_balances.yaml").read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    warnings_of(spec)
    spec.write_text(text.replace("info:", "info:\n  x-note: changed", 1), encoding="utf-8")
    warnings_of(spec)
    assert len(list(cache.glob("*.json"))) == 2


def test_semantic_warnings_are_the_same_from_the_cache(cache: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Size: {type: integer, default: big}\n",
        encoding="utf-8",
    )
    first, second = warnings_of(spec), warnings_of(spec)
    assert (
        first
        == second
        == [f"warning: {spec}:6: /components/schemas/Size/default: default does not match its schema: 'big' is not of type 'integer'"]
    )
    assert len(list(cache.glob("*.json"))) == 1


def test_structural_errors_are_found_afresh_and_never_cached(cache: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 42\n", encoding="utf-8")
    messages = []
    for _ in range(2):
        with pytest.raises(SpecError) as caught:
            warnings_of(spec)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "/paths/~1a/get/responses" in messages[0] and "42 is not of type 'object'" in messages[0]
    assert not cache.exists() or list(cache.glob("*.json")) == []


def test_unreadable_cache_entry_is_validated_again(cache: Path) -> None:
    spec = FIXTURES / "specs" / "seed_intx_balances.yaml"
    first = warnings_of(spec)
    (entry,) = cache.glob("*.json")
    entry.write_text("{not json", encoding="utf-8")
    assert warnings_of(spec) == first


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    warnings_of(FIXTURES / "specs" / "seed_intx_balances.yaml")
    assert not (tmp_path / ".cache").exists()
