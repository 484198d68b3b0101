"""Names in Latin letters after an English label or title, in English-only text too.

Forms, bookings and exports written in English (or half in English) name people the way a passport does:
``Name: Zhou Mingyu``, ``Applicant: LI Xiaoming``, ``Passenger: CHEN/XIAOHONG``, ``Contact person: Ms. Liu
Yang``, ``Prepared by Wang Fang``, ``Dear Mr. Zhang``. Without a Chinese character such a text never reached
the Chinese rules or the lexical model, so these names leaked. Here a label (case-insensitive, with a colon,
a dash or ``is``; a lower-case role word mid-sentence, ``the applicant Zhou Mingyu``; or ``by``) or a title
(Mr/Ms/Mrs/Miss/Dr/Prof/Madam) is followed by one to four capitalised tokens (``Zhou``, ``LI``, ``San-feng``,
``O'Brien``), which end at a field word (Tel, Gender, ID …), a lower-case word, a digit or punctuation. One
token after a title keeps the title in the span (``Mr. Zhang``, as 王先生 is one span); a full name after a
title is the name alone (``Ms. Liu Yang`` → ``Liu Yang``, as 刘洋女士 keeps 女士 outside).
"""

from __future__ import annotations

import re

from privacy.recognizers._base import Hit, Verdict

__all__ = ["ENGLISH_CUE", "english_label", "english_names", "organisation_words"]

# Labels and role words that introduce a person's name in English forms and letters.
_ROLES = (
    "full name|english name|name in english|name in pinyin|name|surname|family name|last name|given name|"
    "given names|first name|forename|forenames|applicant|co-applicant|contact person|contact name|contact|emergency contact|patient|"
    "passenger|traveller|traveler|guest|visitor|customer|client|caller|complainant|reporting person|informant|"
    "resident|householder|head of household|household head|beneficiary|payee|payer|account name|account holder|"
    "cardholder|card holder|recipient|receiver|addressee|sender|consignee|shipper|guardian|spouse|husband|wife|"
    "father|mother|son|daughter|student|pupil|employee|staff member|tenant|landlord|lessee|lessor|owner|"
    "driver|insured|policyholder|policy holder|member|attn|attention|witness|agent|legal representative|"
    "representative|borrower|lender|debtor|creditor|interviewer|interviewee|candidate|participant|victim|"
    "suspect|defendant|plaintiff|claimant|signatory|signature|signed|case officer|officer in charge|"
    "handler|inspector|doctor|physician|nurse|teacher|buyer|seller|purchaser|vendor contact"
)
_BY = (
    "prepared|reported|approved|reviewed|checked|submitted|handled|signed|issued|filled|completed|verified|"
    "recorded|written|entered|received|authorised|authorized"
)
_TITLES = "Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Madam|Mme|Mlle|Sir"
# Capitalised tokens: Zhou, LI, San-feng, Xiao-Ming, O'Brien, McDonald, accented letters.
_TOKEN = "(?:[A-Z][a-z\u00df-\u00ff]+|[A-Z]{2,}|[A-Z]'[A-Z][a-z]+|Mc[A-Z][a-z]+)(?:-[A-Za-z][a-z]+)?"
_NAME = f"{_TOKEN}(?:(?: |, ?| ?/ ?)(?:[A-Z]\\. )?{_TOKEN}){{0,3}}"
_DETERMINERS = "the|our|a|an|this|your|my|his|her|their|same|named"


def _rev(words: str) -> str:
    """An alternation of plain words, each written backwards (longest first)."""
    return "|".join(sorted((re.escape(w[::-1]) for w in words.split("|")), key=len, reverse=True))


# What stands right before a name, matched on the text before it read backwards (one anchored match instead of
# a search over every position): a label with its separator (Name:, Contact person: Ms., Name is), ``… by``,
# a role word after a determiner (the applicant), or a title (Mr.). Groups are named as read forwards.
_BEFORE_REVERSED = re.compile(
    f"(?:(?P<titled>[ \t]+\\.?(?:{_rev(_TITLES)}))?(?:[ \t\u3000]*[:：]|[ \t]+-[ \t]+|[ \t]+(?i:si|saw)[ \t]+)"
    f"(?:[ \t]*\\)[A-Za-z /,.]{{1,30}}\\()?[ \t]*(?P<label>(?i:{_rev(_ROLES)}))"
    f"|(?P<by>[ \t]*[:：]?[ \t]*yb[ \t]+(?i:{_rev(_BY)}))"
    f"|(?P<role>[ \t]+(?:{_rev(_ROLES)})[ \t]+(?i:{_rev(_DETERMINERS)}))"
    f"|(?P<title>[ \t]+\\.?(?:{_rev(_TITLES)})))(?![A-Za-z])"
)
_NAME_AT = re.compile(f"{_NAME}(?![A-Za-z0-9@])")
# Where a name may start: a capital letter after a colon or a space (a cheap test before the window's).
_CANDIDATE = re.compile("(?<=[:： \t\u3000])[A-Z]")
# A cheap test: can this text hold a name these rules find? Every cue ends in a colon, a letter or a full stop
# (a label word, ``is``, ``by``, a title) or a dash, then blanks and the name's capital. True for every text
# english_names finds a name in; tests/privacy/test_scan_batched.py checks that on its messy table.
ENGLISH_CUE = re.compile("(?:[:：]|[A-Za-z.][ \t]|[ \t]-[ \t])[ \t\u3000]*[A-Z]")


# Words of a form that end a name (Name: Li Hua Tel 139…, NAME: ZHOU MINGYU SEX: M).
_FIELD_WORDS = frozenset(
    (
        "tel telephone phone mobile mob cell fax email e-mail gender sex male female age dob date birth born id no "
        "number passport nationality address addr add room road street st ave avenue lane district city province "
        "county town village zip postcode post code occupation job title dept department unit company org "
        "organisation organization employer school class grade relation relationship signature sign signed "
        "amount total account card bank ref reference case ticket order status remark remarks note notes "
        "the and or of for to from at in on by with re cc subject dear hi hello thanks regards yours sincerely "
        "mr mrs ms miss dr prof madam sir ltd inc co llc plc corp group limited unknown none nil na n/a tbd "
        "same above self applicant contact patient customer client name surname nurse doctor team service "
        "services centre center office hospital clinic bureau ministry government committee department "
        "china chinese english beijing shanghai macao macau taiwan usa uk "
        "please see refer not yes pending provided attached applicable all any this that these those we you "
        "they it his her our your their my is was will has have as if when call check following below other others "
        "new old dear all everyone sign here print block capitals letters optional required mandatory"
    ).split()
)
# A token that makes the words an organisation or a place, not a person (Owner: Shenzhen Tech Ltd).
_ORG_WORDS = frozenset(
    (
        "ltd ltd. inc inc. co co. llc plc corp corporation company group limited holdings bank hospital clinic "
        "school university college institute committee bureau office center centre department ministry "
        "association foundation society agency services service hotel restaurant store shop factory district "
        "county city province road street electronics technology technologies trading international industries "
        "logistics consulting partners capital studio media systems solutions"
    ).split()
)
_ANSWERS = frozenset(
    "unknown none nil na tbd same self anonymous withheld redacted private confidential".split()
)


def organisation_words(value: str) -> bool:
    """True when a run of Latin words holds a word of an organisation or place (Samsung Electronics, Apple Inc)."""
    return any(w.strip(".,").lower() in _ORG_WORDS for w in value.split())


def english_label(value: str) -> bool:
    """True for an English label or role word (Applicant, Name): never a name itself."""
    return re.fullmatch(f"(?i:{_ROLES}|{_BY})", value) is not None


def _tokens(name: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(_TOKEN, name)]


def english_names(text: str, *, titled: bool = True) -> list[Hit]:
    """Latin-letter names after an English label, ``… by`` or a title (see the module docstring).

    ``titled=False`` leaves out a surname with its title alone (Mr. Zhang), as ``partial_names="none"`` does 王先生.
    """
    hits: list[Hit] = []
    after = 0
    for candidate in _CANDIDATE.finditer(text):
        start = candidate.start()
        if start < after:
            continue
        before = _BEFORE_REVERSED.match(text[start - 1 : max(0, start - 49) - 1 if start > 49 else None : -1])
        name_match = _NAME_AT.match(text, start) if before is not None else None
        if name_match is None:
            continue
        name = name_match.group()
        after = name_match.end()
        words = [name[a:b].lower() for a, b in _tokens(name)]
        if any(w in _ORG_WORDS for w in words) or _ORG_AFTER.match(text, after):
            continue
        kind = next(k for k in ("label", "by", "role", "title") if before.group(k) is not None)
        cue = before.group(kind)[::-1].strip(" \t:：-")
        title = "title" if kind == "title" else "titled"
        for a, b in _names(name):
            if before.group(title) is not None and a == 0 and " " not in name[a:b]:
                # Mr. Zhang: a surname with its title is the name (王先生 is one span)
                if not titled:
                    continue
                verdict = Verdict("pii.why.person_title", {"surname": name[a:b], "context": cue}, 0.85)
                hits.append(Hit("PERSON", start - before.end(title), start + b, 0.85, verdict, cue))
                continue
            verdict = Verdict("pii.why.person_english_label", {"context": cue}, 0.9)
            hits.append(Hit("PERSON", start + a, start + b, 0.9, verdict, cue))
    return hits


_ORG_AFTER = re.compile(" ?(?:&|(?:Ltd|Inc|Co|LLC|Limited)(?![a-z])|'s (?:Office|Team|Department))")


def _names(name: str) -> list[tuple[int, int]]:
    """The names in a run of capitalised tokens: it ends at a field word; a comma or slash separates two names
    unless it follows a first token in capitals (ZHOU, Mingyu; CHEN/XIAOHONG: surname, then given name)."""
    spans: list[tuple[int, int]] = []
    start = end = -1
    for index, (a, b) in enumerate(_tokens(name)):
        token = name[a:b]
        if token.lower() in _FIELD_WORDS or (start < 0 and token.lower() in _ANSWERS):
            break
        gap = name[end:a] if end >= 0 else ""
        if start >= 0 and gap.strip(" ") in (",", "/") and not (index == 1 and name[start:end].isupper()):
            spans.append((start, end))
            start = -1
        if start < 0:
            start = a
        end = b
    if start >= 0:
        spans.append((start, end))
    return spans
