"""Canonical JSON, hashes and Ed25519 signatures of sign-off records.

A record's hash covers a per-field hash map, so verification can name the
exact field that changed. Each signature covers the canonical JSON of
``{record_id, record_hash, signer, name, role, meaning, signed_at, key}``:
the meaning and time are part of what is signed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "GENESIS",
    "canonical",
    "clean",
    "field_hashes",
    "fingerprint",
    "generate_keypair",
    "load_private",
    "record_hash",
    "reseal_private",
    "sha256_text",
    "sign",
    "verify_signature",
]

GENESIS = "0" * 64


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, tuples lists, keys strings."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "item"):
        return clean(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def canonical(value: Any, *, pretty: bool = False) -> str:
    """The one serialisation that is hashed (sorted keys; compact unless ``pretty``)."""
    if pretty:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def field_hashes(groups: dict[str, dict[str, Any]]) -> dict[str, str]:
    """``{"A.record_id": sha256, …}`` for every field of every group."""
    return {
        f"{group}.{name}": sha256_text(canonical(value))
        for group, fields in sorted(groups.items())
        for name, value in sorted(fields.items())
    }


def record_hash(header: dict[str, Any], hashes: dict[str, str]) -> str:
    """Hash of the record: its header (ids, version, chain link) and field hashes."""
    return sha256_text(canonical({"header": header, "fields": hashes}))


def fingerprint(public_b64: str) -> str:
    """SHA-256 of the raw 32-byte public key, hex."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()


_SCRYPT_N = 2**14  # the scrypt paper's interactive setting


def _kek(password: str, salt: bytes, n: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=8, p=1).derive(password.encode("utf-8"))


def _seal(raw: bytes, public_raw: bytes, password: str) -> str:
    """``raw`` sealed by ``password``: scrypt → AES-256-GCM, the public key as associated data."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_kek(password, salt, _SCRYPT_N)).encrypt(nonce, raw, public_raw)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    box = {"kdf": "scrypt", "n": _SCRYPT_N, "r": 8, "p": 1, "salt": b64(salt), "cipher": "AES-256-GCM",
           "nonce": b64(nonce), "sealed": b64(sealed)}
    return canonical(box)


def _raw_private(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())


def generate_keypair(password: str) -> tuple[str, str]:
    """A new key: (raw public key base64, private key sealed by ``password``).

    The sealed key is JSON: scrypt (N=2^14, r=8, p=1) derives an AES-256-GCM
    key from the password; the public key is the associated data, so a sealed
    key cannot be swapped under another public key.
    """
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(public_raw).decode("ascii"), _seal(_raw_private(private), public_raw, password)


def reseal_private(box_json: str, old_password: str, new_password: str, public_b64: str) -> str | None:
    """The same private key sealed by ``new_password`` (fresh salt and nonce); None when ``old_password`` is wrong."""
    private = load_private(box_json, old_password, public_b64)
    if private is None:
        return None
    return _seal(_raw_private(private), base64.b64decode(public_b64), new_password)


def load_private(box_json: str, password: str, public_b64: str) -> Ed25519PrivateKey | None:
    """Unseal the private key; None when the password is wrong."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    box = json.loads(box_json)
    try:
        raw = AESGCM(_kek(password, base64.b64decode(box["salt"]), int(box["n"]))).decrypt(
            base64.b64decode(box["nonce"]), base64.b64decode(box["sealed"]), base64.b64decode(public_b64))
    except InvalidTag:
        return None
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign(private: Ed25519PrivateKey, payload: dict[str, Any]) -> str:
    return base64.b64encode(private.sign(canonical(payload).encode("utf-8"))).decode("ascii")


def verify_signature(public_b64: str, signature_b64: str, payload: dict[str, Any]) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), canonical(payload).encode("utf-8"))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
