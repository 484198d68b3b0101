"""EMAIL_ADDRESS with boundaries that work next to Chinese text (no Chinese prefix swallowed)."""

from __future__ import annotations

import functools

from privacy.recognizers._base import WIDTH_FOLD, ChineseRecognizer, Verdict

__all__ = ["EmailRecognizer"]

_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
_EMAIL = r"(?<![A-Za-z0-9._%+\-])" + _LOCAL + "@" + _DOMAIN + r"(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"


@functools.cache
def _extractor():  # type: ignore[no-untyped-def]
    import tldextract

    # The bundled public-suffix snapshot only: never fetch the list.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class EmailRecognizer(ChineseRecognizer):
    """电子邮箱: ASCII local part and a domain whose suffix is on the public-suffix list."""

    ENTITY = "EMAIL_ADDRESS"
    FOLD = {**WIDTH_FOLD, ord("。"): ord(".")}  # 163。com: the input method's full stop
    PATTERNS = (("email", _EMAIL, 1.0),)
    CONTEXT = ("邮箱", "邮件", "电邮", "email", "Email", "E-mail")
    PREFILTER = "@"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        domain = value.rsplit("@", 1)[1]
        suffix = _extractor()(domain).suffix
        if not suffix:
            return None
        return Verdict("pii.why.email", {"domain": domain.lower()})
