"""Signing keys over time: re-seal on password change, rotation on reset or compromise, disabled signers.

Real database, real scrypt/AES-GCM/Ed25519; the kill test kills a real
process with SIGKILL inside the rotation's transaction.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from sandbox.accounts import change_password, reset_password, rotate_key, set_account_active, signing_keys
from sandbox.errors import PermissionDenied
from sandbox.review import export_document, sign_record, verify_all, verify_document
from sandbox.review._keys import live_key, private_key_for
from sandbox.review._tables import SigningKey, SigningKeyRetirement, SigningKeySeal
from sandbox.store import session_scope

NEW = "new-password-2027"


def _key(username: str, password: str) -> str:
    with session_scope() as s:
        return private_key_for(s, username=username, password=password)[2]


def _signed_record(world) -> str:  # type: ignore[no-untyped-def]
    rec = world.to_decision()["record_id"]
    sign_record(actor=world.actor("chair"), record_id=rec, password=world.password, meaning="approved")
    return rec


def test_password_change_reseals_the_same_key(world) -> None:  # type: ignore[no-untyped-def]
    rec = _signed_record(world)
    before = _key("chair", world.password)
    with session_scope() as s:
        seal_before = s.get(SigningKeySeal, before).private_key_enc
        assert s.scalar(select(SigningKey).where(SigningKey.fingerprint == before)).private_key_enc == ""
    out = change_password(actor=world.actor("chair"), old_password=world.password, new_password=NEW)
    assert out["resealed"] == before
    assert _key("chair", NEW) == before
    with pytest.raises(PermissionDenied) as err:
        _key("chair", world.password)  # the old password opens nothing any more
    assert err.value.key == "review.wrong_signing_password"
    with session_scope() as s:
        assert s.get(SigningKeySeal, before).private_key_enc != seal_before
    assert verify_all(actor=None)["ok"]
    assert verify_document(export_document(actor=world.actor("chair"), record_id=rec))["ok"]


def test_wrong_old_password_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    before = _key("reviewer", world.password)
    with pytest.raises(PermissionDenied) as err:
        change_password(actor=world.actor("reviewer"), old_password="not-my-password", new_password=NEW)
    assert err.value.key == "errors.wrong_password"
    assert _key("reviewer", world.password) == before


def test_reset_retires_the_key_and_old_signatures_still_verify(world) -> None:  # type: ignore[no-untyped-def]
    rec = _signed_record(world)
    old = _key("chair", world.password)
    out = reset_password(actor=world.actor("admin"), username="chair", new_password=NEW)
    assert out["retired_key"] == old
    with session_scope() as s:
        assert live_key(s, "chair") is None and s.get(SigningKeySeal, old) is None
        retired = s.scalar(select(SigningKeyRetirement).where(SigningKeyRetirement.fingerprint == old))
        assert (retired.reason, retired.retired_by) == ("password_reset", "admin")
    fresh = _key("chair", NEW)
    assert fresh != old
    history = {k["fingerprint"]: k for k in signing_keys(actor=world.actor("chair"), username="chair")}
    assert history[old]["status"] == "retired" and history[old]["retired_at"] is not None
    assert history[fresh]["status"] == "live"
    assert verify_all(actor=None)["ok"]
    doc = export_document(actor=world.actor("chair"), record_id=rec)
    assert verify_document(doc)["ok"] and doc["signatures"][0]["fingerprint"] == old


def test_own_rotation_needs_the_password_and_makes_a_new_key(world) -> None:  # type: ignore[no-untyped-def]
    old = _key("steward", world.password)
    with pytest.raises(PermissionDenied) as err:
        rotate_key(actor=world.actor("steward"), password="wrong-password")
    assert err.value.key == "errors.wrong_password"
    assert _key("steward", world.password) == old
    out = rotate_key(actor=world.actor("steward"), password=world.password, note="laptop stolen")
    assert out["retired"] == old and out["fingerprint"] not in (None, old)
    assert _key("steward", world.password) == out["fingerprint"]
    with pytest.raises(PermissionDenied):
        rotate_key(actor=world.actor("steward"), username="chair")  # only an admin retires another's key


def test_disabled_user_cannot_sign_and_past_signatures_verify(world) -> None:  # type: ignore[no-untyped-def]
    from sandbox.users import authenticate

    _signed_record(world)
    set_account_active(actor=world.actor("admin"), username="chair", active=False)
    with pytest.raises(PermissionDenied) as err:
        _key("chair", world.password)
    assert err.value.key == "errors.user_disabled"
    with pytest.raises(PermissionDenied):
        authenticate("chair", world.password)
    assert verify_all(actor=None)["ok"]
    set_account_active(actor=world.actor("admin"), username="chair", active=True)
    assert authenticate("chair", world.password).username == "chair"


_KILL_IN_ROTATION = textwrap.dedent("""
    import os, signal
    import sandbox.review._keys as keys
    from sandbox.accounts import rotate_key
    from sandbox.users import actor_for

    real = keys.generate_keypair
    def dying(password):
        real(password)
        os.kill(os.getpid(), signal.SIGKILL)  # the old key is retired and its seal deleted, not committed
    keys.generate_keypair = dying
    rotate_key(actor=actor_for("steward"), password="sandbox-demo")
""")


def test_kill_during_rotation_leaves_the_old_key(world) -> None:  # type: ignore[no-untyped-def]
    old = _key("steward", world.password)
    from sandbox.store import reset_engines

    reset_engines()
    proc = subprocess.run([sys.executable, "-c", _KILL_IN_ROTATION], env={**os.environ, "SANDBOX_HOME": str(world.home)},
                          capture_output=True, text=True, cwd=Path(__file__).parents[3], timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert _key("steward", world.password) == old
    with session_scope() as s:
        assert s.scalars(select(SigningKeyRetirement)).all() == []
        assert len(s.scalars(select(SigningKey).where(SigningKey.username == "steward")).all()) == 1
    assert json.dumps(verify_all(actor=None)).startswith('{"ok": true')
