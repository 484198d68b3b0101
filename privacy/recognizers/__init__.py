"""Presidio recognizers for Chinese personal information, one class per identifier.

Each recognizer validates its candidates (check characters through
:mod:`privacy.checksums`, region names through :mod:`sandbox.regions`) and
explains every finding.
"""

from __future__ import annotations

from privacy.recognizers._base import ChineseRecognizer, Hit, Verdict
from privacy.recognizers.address import AddressRecognizer
from privacy.recognizers.bank_card import BankCardRecognizer
from privacy.recognizers.email import EmailRecognizer
from privacy.recognizers.hmt_permit import HmtPermitRecognizer
from privacy.recognizers.ip_address import IpAddressRecognizer
from privacy.recognizers.license_plate import LicensePlateRecognizer
from privacy.recognizers.passport import PassportRecognizer
from privacy.recognizers.person import PartialNames, PersonRecognizer
from privacy.recognizers.phone import PhoneRecognizer
from privacy.recognizers.qq import QqRecognizer
from privacy.recognizers.resident_id import ResidentIdRecognizer
from privacy.recognizers.uscc import UsccRecognizer
from privacy.recognizers.wechat import WeChatRecognizer

__all__ = [
    "ENTITIES",
    "RECOGNIZER_CLASSES",
    "AddressRecognizer",
    "BankCardRecognizer",
    "ChineseRecognizer",
    "EmailRecognizer",
    "Hit",
    "HmtPermitRecognizer",
    "IpAddressRecognizer",
    "LicensePlateRecognizer",
    "PartialNames",
    "PassportRecognizer",
    "PersonRecognizer",
    "PhoneRecognizer",
    "QqRecognizer",
    "ResidentIdRecognizer",
    "UsccRecognizer",
    "Verdict",
    "WeChatRecognizer",
    "default_recognizers",
]

# Order = priority when two entities claim the same characters.
RECOGNIZER_CLASSES: tuple[type[ChineseRecognizer], ...] = (
    ResidentIdRecognizer,
    UsccRecognizer,
    BankCardRecognizer,
    PhoneRecognizer,
    EmailRecognizer,
    IpAddressRecognizer,
    WeChatRecognizer,
    QqRecognizer,
    PassportRecognizer,
    HmtPermitRecognizer,
    LicensePlateRecognizer,
    PersonRecognizer,
    AddressRecognizer,
)
ENTITIES: tuple[str, ...] = tuple(cls.ENTITY for cls in RECOGNIZER_CLASSES)


def default_recognizers(*, partial_names: PartialNames = "titled") -> list[ChineseRecognizer]:
    """A fresh instance of every recognizer, in priority order.

    ``partial_names`` is the policy for 李总/王先生 and 陈某 forms (see :class:`PersonRecognizer`).
    """
    return [cls(partial_names=partial_names) if cls is PersonRecognizer else cls() for cls in RECOGNIZER_CLASSES]
