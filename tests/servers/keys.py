"""Load the committed test-only CDP keys from ``tests/fixtures/keys``."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import (
    EllipticCurvePrivateKey,
    EllipticCurvePublicKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

PublicKey = EllipticCurvePublicKey | Ed25519PublicKey
"""Public key types the servers verify CDP JWTs with."""

KEYS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "keys"


@dataclass(frozen=True)
class TestKeys:
    """The two test keys as objects, in the forms Coinbase hands out, and their names."""

    __test__ = False  # not a pytest test class

    ec_key_name: str
    ec_private_key: EllipticCurvePrivateKey
    ec_public_key: EllipticCurvePublicKey
    ec_private_pem: str
    ed25519_key_name: str
    ed25519_private_key: Ed25519PrivateKey
    ed25519_public_key: Ed25519PublicKey
    ed25519_secret_b64: str
    cdp_api_key_file: Path

    def public_keys(self) -> dict[str, PublicKey]:
        """Key name → public key, as the servers take it."""
        return {
            self.ec_key_name: self.ec_public_key,
            self.ed25519_key_name: self.ed25519_public_key,
        }


def load_test_keys(directory: Path = KEYS_DIR) -> TestKeys:
    """Read the key fixtures and check that private and public halves agree."""
    names = json.loads((directory / "key_names.json").read_text())
    ec_pem = (directory / "ec_p256_private.pem").read_text()
    ec_private = serialization.load_pem_private_key(ec_pem.encode(), password=None)
    ec_public = serialization.load_pem_public_key((directory / "ec_p256_public.pem").read_bytes())
    secret_b64 = (directory / "ed25519_private.b64").read_text().strip()
    raw = base64.b64decode(secret_b64)
    ed_private = Ed25519PrivateKey.from_private_bytes(raw[:32])
    ed_public = serialization.load_pem_public_key((directory / "ed25519_public.pem").read_bytes())
    assert isinstance(ec_private, EllipticCurvePrivateKey)
    assert isinstance(ec_public, EllipticCurvePublicKey)
    assert isinstance(ed_public, Ed25519PublicKey)
    raw_public = ed_public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert len(raw) == 64 and raw[32:] == raw_public, "ed25519 secret is not seed||public"
    assert ec_private.public_key().public_numbers() == ec_public.public_numbers()
    return TestKeys(
        ec_key_name=names["ec"],
        ec_private_key=ec_private,
        ec_public_key=ec_public,
        ec_private_pem=ec_pem,
        ed25519_key_name=names["ed25519"],
        ed25519_private_key=ed_private,
        ed25519_public_key=ed_public,
        ed25519_secret_b64=secret_b64,
        cdp_api_key_file=directory / "cdp_api_key.json",
    )
