"""IP_ADDRESS: IPv4 and IPv6, validated with :mod:`ipaddress`."""

from __future__ import annotations

import ipaddress

from privacy.recognizers._base import WIDTH_FOLD, ChineseRecognizer, Verdict

__all__ = ["IpAddressRecognizer"]

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_V4 = r"(?<![0-9.])" + _OCTET + r"(?:\." + _OCTET + r"){3}(?![0-9]|\.\d)"
_V6 = r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|:)(?![0-9A-Fa-f:])"


class IpAddressRecognizer(ChineseRecognizer):
    """IP 地址: dotted IPv4 and (compressed) IPv6."""

    ENTITY = "IP_ADDRESS"
    FOLD = WIDTH_FOLD
    PATTERNS = (("ipv4", _V4, 0.7), ("ipv6", _V6, 0.7))
    CONTEXT = ("IP", "ip", "地址", "登录", "访问", "上网")
    NEGATIVE_CONTEXT = ("版本", "version", "Version", "固件")
    PREFILTER = r"\d\.\d|:[0-9A-Fa-f]*:"

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return None
        if address.version == 6 and value.count(":") < 2:
            return None
        if address.is_unspecified:
            return None
        kind = "内网" if address.is_private else "公网"
        return Verdict("pii.why.ip", {"version": address.version, "kind": kind})
