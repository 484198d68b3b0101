"""PASSPORT: Chinese passports (E/G ordinary, D/S/P diplomatic, service, public affairs)."""

from __future__ import annotations

from privacy.recognizers._base import NOT_ALNUM_AFTER, NOT_ALNUM_BEFORE, ChineseRecognizer, Verdict

__all__ = ["PassportRecognizer"]

_KINDS = {"E": "普通护照（电子）", "G": "普通护照（旧版）", "D": "外交护照", "S": "公务护照", "P": "公务普通护照"}


class PassportRecognizer(ChineseRecognizer):
    """护照号: E12345678, EA1234567, G12345678, D/S/P + 7–8 digits. No check digit: context matters."""

    ENTITY = "PASSPORT"
    PATTERNS = (
        ("passport", NOT_ALNUM_BEFORE + r"(?:[EGeg]\d{8}|[Ee][A-HJ-NP-Za-hj-np-z]\d{7}|[DSPdsp][Ee]?\d{7})"
         + NOT_ALNUM_AFTER, 0.45),
    )
    CONTEXT = ("护照", "passport", "Passport", "PASSPORT", "出国", "出境", "证件号")
    PREFILTER = r"[EGDSPegdsp][A-Za-z]?\d{7}"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        value = value.upper()
        if len(set(value[1:])) == 1:
            return None
        return Verdict("pii.why.passport", {"kind": _KINDS[value[0]]})
