"""Value operators: presidio-anonymizer operators plus the project's own.

* ``partial_mask`` keeps the first/last characters (身份证 ``110105********002X``,
  phone ``138****5678``).
* ``keyed_pseudonym`` is HMAC-SHA256 under the per-project secret kept in the
  data home (``secrets_dir/pseudonym-<project>.key``): the same input always
  gives the same pseudonym in every run and release, and nobody without the key
  can recompute it. Presidio's own ``hash`` operator salts randomly per entity,
  which breaks linkage across releases, so it is not used.

Both are registered as presidio ``Operator`` classes so free text goes through
``AnonymizerEngine``; table columns call the same functions on unique values.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from sandbox.errors import ConfigError
from sandbox.settings import get_settings

__all__ = [
    "anonymizer_engine",
    "id_mask",
    "keyed_pseudonym",
    "operator_classes",
    "partial_mask",
    "pseudonym_key",
    "pseudonymiser",
]

_PROJECT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def partial_mask(value: str, *, keep_start: int = 0, keep_end: int = 0, char: str = "*") -> str:
    """Mask the middle of ``value``, keeping ``keep_start`` and ``keep_end`` letters or digits.

    Separators people type (spaces, hyphens, dots) do not count towards what
    is kept, so ``3301 1219 5304 2897 13`` keeps its first six and last four
    digits like ``330112195304289713`` does; the separators in the masked
    middle are masked too. A value with too few letters or digits to keep
    both ends is masked entirely (never shown whole).
    """
    n = len(value)
    if n == 0:
        return value
    kept = [i for i, ch in enumerate(value) if ch.isalnum()]
    if keep_start + keep_end >= len(kept):
        return char * n
    start = kept[keep_start - 1] + 1 if keep_start else 0
    end = kept[len(kept) - keep_end] if keep_end else n
    return value[:start] + char * (end - start) + value[end:]


def id_mask(value: str, *, keep_start: int = 0, keep_end: int = 0, char: str = "*") -> str:
    """:func:`partial_mask` for a 身份证号: the 15-digit (first-generation) form keeps the same *parts* as the 18-digit one.

    A policy's ``keep_start``/``keep_end`` are written for the 18-digit number (6 region + 8 birth date
    ``YYYYMMDD`` + 3 sequence + 1 check character): ``keep_end: 4`` keeps the sequence and the check.
    A 15-digit number (6 region + ``YYMMDD`` + 3 sequence) has no check character and a two-digit
    year, so the same counts kept the last digit of the birth day (``330106*****5021`` for a 21st);
    here it keeps one digit fewer at the end (``330106******021``) and two fewer of a start that
    reaches into the year. Any other length is masked as :func:`partial_mask` does.
    """
    if sum(ch.isalnum() for ch in value) == 15:
        keep_end = max(0, keep_end - 1)
        keep_start = keep_start if keep_start <= 6 else max(6, keep_start - 2)
    return partial_mask(value, keep_start=keep_start, keep_end=keep_end, char=char)


def phone_mask(value: str, *, keep_start: int = 0, keep_end: int = 0, char: str = "*") -> str:
    """:func:`partial_mask` for a phone number: at least four digits hidden whatever its length.

    A policy's ``keep_start: 3, keep_end: 4`` is written for an 11-digit mobile; on a local landline
    written without its area code (``86543210``) it would hide one digit. Shorter numbers keep fewer
    digits at each end (``86****10``).
    """
    digits = sum(ch.isalnum() for ch in value)
    if digits - keep_start - keep_end < 4:
        keep_start = max(0, min(keep_start, (digits - 4) // 2))
        keep_end = max(0, min(keep_end, digits - 4 - keep_start))
    return partial_mask(value, keep_start=keep_start, keep_end=keep_end, char=char)


def pseudonym_key(project: str = "default") -> bytes:
    """The per-project secret (32 random bytes), created once in the data home.

    Creation is race-free: the key is written under a temporary name and
    hard-linked into place, so two processes starting together agree on one key.
    """
    if not _PROJECT_NAME.match(project):
        raise ConfigError("privacy.err.project_name", project=project)
    settings = get_settings()
    settings.ensure_home()
    path = settings.secrets_dir / f"pseudonym-{project}.key"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(prefix=".key.", dir=settings.secrets_dir)
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
            os.close(fd)
            os.chmod(tmp, 0o600)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            Path(tmp).unlink(missing_ok=True)
    key = path.read_bytes()
    if len(key) != 32:
        raise ConfigError("privacy.err.key_corrupt", path=str(path))
    return key


_HAN_GAP = re.compile(r"(?<=[\u3400-\u9fff·])\s+(?=[\u3400-\u9fff·])")
# The separator of a transcribed name (阿卜杜拉·买买提) as people type it: · • ・ ． ‧ ･ . between Chinese characters.
_NAME_DOT = re.compile(r"(?<=[\u3400-\u9fff])\s*[\u00b7\u2022\u2027\u30fb\uff0e\uff65.]\s*(?=[\u3400-\u9fff])")


def canonical(value: str) -> str:
    """What a pseudonym is computed from: the value without outer spaces or spaces between Chinese characters.

    ``王 淑 英`` and ``王淑英 `` are the same person as ``王淑英`` and get the same pseudonym; so are
    ``阿卜杜拉•买买提`` and ``阿卜杜拉．买买提`` as ``阿卜杜拉·买买提`` (the name's dot as typed).
    """
    return _HAN_GAP.sub("", _NAME_DOT.sub("·", value.strip()))


def keyed_pseudonym(value: str, *, key: bytes, prefix: str = "P", length: int = 16) -> str:
    """``prefix`` + the first ``length`` hex digits of HMAC-SHA256(key, :func:`canonical` value)."""
    return prefix + hmac.new(key, canonical(value).encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def pseudonymiser(key: bytes, *, prefix: str = "P", length: int = 16) -> Callable[[str], str]:
    """A fast :func:`keyed_pseudonym` for many values: HMAC pads hashed once (RFC 2104)."""
    block = key.ljust(64, b"\0") if len(key) <= 64 else hashlib.sha256(key).digest().ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def pseudonym(value: str) -> str:
        h = inner.copy()
        h.update(canonical(value).encode("utf-8"))
        o = outer.copy()
        o.update(h.digest())
        return prefix + o.hexdigest()[:length]

    return pseudonym


@cache
def operator_classes() -> tuple[type, type]:
    """``(PartialMask, KeyedPseudonym)`` presidio ``Operator`` classes (presidio imported lazily: ~4 s)."""
    from presidio_anonymizer.entities import InvalidParamError
    from presidio_anonymizer.operators import Operator, OperatorType

    class PartialMask(Operator):
        """Presidio operator: keep the first/last characters, mask the rest."""

        def operate(self, text: str | None = None, params: dict[str, Any] | None = None) -> str:
            params = params or {}
            return partial_mask(text or "", keep_start=int(params.get("keep_start", 0)),
                                keep_end=int(params.get("keep_end", 0)), char=str(params.get("char", "*")))

        def validate(self, params: dict[str, Any] | None = None) -> None:
            params = params or {}
            for key in ("keep_start", "keep_end"):
                if int(params.get(key, 0)) < 0:
                    raise InvalidParamError(f"{key} must be ≥ 0")

        def operator_name(self) -> str:
            return "partial_mask"

        def operator_type(self) -> OperatorType:
            return OperatorType.Anonymize


    class KeyedPseudonym(Operator):
        """Presidio operator: HMAC-SHA256 pseudonym under the project key."""

        def operate(self, text: str | None = None, params: dict[str, Any] | None = None) -> str:
            params = params or {}
            return keyed_pseudonym(text or "", key=params["key"], prefix=str(params.get("prefix", "P")))

        def validate(self, params: dict[str, Any] | None = None) -> None:
            key = (params or {}).get("key")
            if not isinstance(key, bytes) or len(key) < 16:
                raise InvalidParamError("key must be ≥ 16 bytes")

        def operator_name(self) -> str:
            return "keyed_pseudonym"

        def operator_type(self) -> OperatorType:
            return OperatorType.Anonymize

    return PartialMask, KeyedPseudonym


@cache
def anonymizer_engine() -> Any:
    """A presidio ``AnonymizerEngine`` with the project's operators added."""
    from presidio_anonymizer import AnonymizerEngine

    engine = AnonymizerEngine()
    for operator in operator_classes():
        engine.add_anonymizer(operator)
    return engine
