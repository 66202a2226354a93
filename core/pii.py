"""Mask card numbers, ID numbers and phone numbers before text reaches a log or a person.

Standard library only (``re`` and a few checksums), so it imports and behaves the same in
both runtimes (Rasa's and the platform's) and costs almost nothing on the hot path: every
log line of every process goes through :func:`mask_pii`.

Each number found is replaced by a tag that keeps its kind and its last four characters,
``[CARD ****1111]``, ``[ID ****002X]``, ``[PHONE ****8000]``, so that a person reading a log
or a transcript can still tell which card or phone was meant.

How it works: a line with fewer than six digits is returned at once (no number masked here
has fewer). Otherwise one regular expression finds the stretches of digits and separators
long enough to hold such a number, and only inside them a second one, an alternation tried
in a fixed order, finds candidates; each candidate is then checked in Python (Luhn, ISO 7064,
mod-97, real dates, country codes) and a refused one is retried against the alternatives
after it. The alternatives, in order:

1. IBANs (``GB82 WEST 1234 5698 7654 32``) and UK National Insurance numbers (``QQ123456C``),
   found from the digits that follow their two letters.
2. Mainland resident IDs written in groups (``110105 19491231 002X``).
3. US Social Security numbers (``123-45-6789``).
4. Mainland mobiles, bare or after 86 / 0086 / +86 / (+86), with spaces or dashes or none.
5. International numbers written with ``+`` or ``00`` and a real country code.
6. Card numbers written in groups (4-4-4-4, 4-4-4-4-3, Amex 4-6-5, Diners 4-6-4).
7. US numbers written in groups (``415-555-2671``, ``(415) 555-2671``, ``1-415-555-2671``).
8. National numbers with a trunk 0 written in the usual groups (``020 7946 0958``,
   ``0161 496 0000``, ``07911 123456``, ``(020) 7946 0958``, ``010-12345678``).
9. Unbroken runs of 10-19 digits (or 17 digits and an X), classified by length and checks:
   resident ID, phone, card, old 15-digit ID, or nothing.

Decisions (see also the tests):

* Numbers may be glued to letters, Chinese characters or punctuation (``卡号6222...``,
  ``card:4111...``), but never to other digits: a run of digits is taken whole or not at
  all, so a number inside a longer run (an order number) is not one. Digits right after
  ``<digit>.`` continue a decimal or a dotted number (``0.9123456789012345``, Rasa's
  confidences; ``139.75.245.208``), so no number starts there. Digits glued to ASCII letters
  are masked (``card4111...``) unless the letter belongs to a hexadecimal identifier (a
  UUID, a hash, a trace id: only 0-9, a-f and dashes, one case, and 16 characters or at
  least two letters), where runs of decimal digits appear by chance. Three digits after
  ``<digit>,`` are a thousands group ("$3,026 2028"), not the start of a number.
* Cards: 13-19 digits passing Luhn. On top of Luhn, a cheap ISO/IEC 7812 sanity check drops
  prefixes no payment card uses: a first digit 0 or 1, and a first digit 2 outside Mir
  (2200-2204) and Mastercard (2221-2720). That keeps date-prefixed order numbers (``2026...``)
  and millisecond timestamps (``17...``) out even when they pass Luhn by chance (1 in 10).
  UnionPay: 16-19 digits starting with 62 are masked without Luhn.
* 18-character resident IDs: masked when the region code is a real province code (or the 9
  of the foreigners' permanent residence card) and positions 7-14 are a real date between
  1900 and this year. The ISO 7064 MOD 11-2 check character is NOT required: an ID with a
  typo still gives away the holder's region, birth date and most of the number, and a
  customer who mistypes one digit fails the check 10 times out of 11. The date and the
  region already make a random 18-digit number rarely look like an ID. The check character
  is used only to choose the tag when an 18-digit run is both a plausible ID and a valid card.
* Old 15-digit IDs: region code and a real YYMMDD date (19YY).
* IBANs (countries of the IBAN registry, at that country's length, mod-97), SSNs (no 000,
  666 or 9xx area, no 00 group, no 0000 serial) and National Insurance numbers are tagged
  ``ID`` and, being national identifiers or account numbers, are masked by
  :func:`mask_card_and_id` too.
* Cards written in groups: 4-4-4-x (and a fifth group for 17-19 digits), one separator
  throughout (space, dash or dot); 4-6-5 only for Amex prefixes (34, 37) and 4-6-4 only for
  Diners (30, 36, 38, 39), as those groupings otherwise catch "7385 326662 2012"-like
  strings. A number written just before or after a grouped card ("4111 1111 1111 1111
  2027") is left out of the tag.
* Phones: mainland mobiles 1[3-9] + 9 digits written bare (with or without 86 / 0086 / +86);
  written in groups (138 0013 8000) the first three must also be a segment operators use
  (13x, 145-149, 15x but 154, 162/165-167, 170-178, 18x, 19x but 194), since "142 2023 1991"
  is more likely an id and two years. Numbers with ``+`` and a real country code: the
  national part 7-12 digits, or the exact lengths of +1, +44, +86, +852, ... (which also
  stops ``+1 415 555 2671 12 times`` at the 2671). With ``00`` instead of ``+``: only the
  codes with known lengths, written apart, and one separator (space or dash) throughout, so
  "尾号0081 2026-11-23" stays. US numbers: area and exchange start with 2-9, one separator
  throughout. Numbers with a trunk 0: the usual UK and mainland groupings, 10-12 digits.
  An unbroken 10-digit run that is a valid US number, or 10-12 digits starting 0 (not 00),
  is masked as a phone: that is ambiguous with a 10-digit reference number, and a bank errs
  on the side of masking (6-8 digit references, amounts, dates and 4-digit card endings are
  never touched).
* Tags keep the last four characters as written (``[ID ****002x]``), digits in ASCII.
* Full-width digits (typed with a Chinese IME in full-width mode) count as digits, and so
  do full-width spaces, dashes, brackets, + and X around them; other scripts' digits do not.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

__all__ = ["mask_card_and_id", "mask_pii"]

CARD, ID, PHONE = "CARD", "ID", "PHONE"

# --------------------------------------------------------------------------- checks

_THIS_YEAR = _dt.date.today().year
# Mainland province codes; 71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits.
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
_PROVINCES = frozenset(str(code) for low, high in _PROVINCE_RANGES for code in range(low, high + 1))
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


_DROP_SEPARATORS = str.maketrans("", "", " .-()+Xx")
_DOUBLE_DIGIT = str.maketrans("0123456789", "0246813579")  # 2d, less 9 when over 9
# Full-width digits and the punctuation written around them (a Chinese IME in full-width
# mode), one character for one, so that offsets in the normalised text are the original's.
_FULL_WIDTH = {0xFF10 + i: 0x30 + i for i in range(10)}
_FULL_WIDTH.update({0xFF0B: "+", 0xFF0D: "-", 0xFF08: "(", 0xFF09: ")", 0xFF0E: ".", 0x3000: " "})
_FULL_WIDTH.update({0xFF38: "X", 0xFF58: "x"})  # an ID's check character
_FULL_WIDTH_NEEDED = re.compile("[\uff10-\uff19\uff38\uff58]")  # a digit or an X


def _digits(text: str) -> str:
    """The ASCII digits of a matched number."""
    digits = text.translate(_DROP_SEPARATORS)
    if digits.isascii() and digits.isdigit():
        return digits
    return "".join(c for c in text if c in "0123456789")


def _luhn(digits: str) -> bool:
    return sum(map(int, digits[-1::-2] + digits[-2::-2].translate(_DOUBLE_DIGIT))) % 10 == 0


def _card_ok(digits: str) -> bool:
    """A payment card number: 13-19 digits, Luhn, an issuer prefix cards use; or UnionPay."""
    n = len(digits)
    if not 13 <= n <= 19:
        return False
    if digits[:2] == "62" and n >= 16:  # UnionPay: some issuers' numbers fail Luhn
        return True
    first = digits[0]
    if first in "01":
        return False
    if first == "2":
        prefix = int(digits[:4])
        if not (2200 <= prefix <= 2204 or 2221 <= prefix <= 2720):
            return False
    return _luhn(digits)


def _date_ok(year: int, month: int, day: int) -> bool:
    if not 1900 <= year <= _THIS_YEAR:
        return False
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _region_ok(digits: str) -> bool:
    return digits[:2] in _PROVINCES or digits[0] == "9"


def _id18_plausible(value: str) -> bool:
    """17 digits + digit/X with a real region code and a real birth date (check char not needed)."""
    return _region_ok(value) and _date_ok(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def _id18_checksum(value: str) -> bool:
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def _id15_ok(digits: str) -> bool:
    return _region_ok(digits) and _date_ok(
        1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    )


def _mobile_cn(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def _nanp(digits: str) -> bool:
    """A North American number without the 1: area and exchange start with 2-9."""
    return len(digits) == 10 and digits[0] not in "01" and digits[3] not in "01"


def _tag(label: str, chars: str) -> str:
    return f"[{label} ****{chars[-4:]}]"


def _alnum(text: str) -> str:
    """The digits and letters of a matched number (what its tag keeps the end of)."""
    return "".join(c for c in text if c.isascii() and c.isalnum())


# Country calling codes (ITU E.164); they form a prefix code, so the first match is the one.
def _codes(spec: str) -> frozenset[str]:
    out: set[str] = set()
    for part in spec.split():
        if "-" in part:
            lo, hi = part.split("-")
            out.update(str(n) for n in range(int(lo), int(hi) + 1))
        else:
            out.add(part)
    return frozenset(out)


_COUNTRY_CODES = _codes(
    "1 7 20 27 30-34 36 39 40 41 43-49 51-58 60-66 81 82 84 86 90-95 98 "
    "211 212 213 216 218 220-258 260-269 290 291 297 298 299 350-359 370-378 380-383 385-387 "
    "389 420 421 423 500-509 590-599 670 672-692 850 852 853 855 856 880 886 960-968 970-977 "
    "992-996 998"
)
# National number lengths (without the trunk 0) for the codes a bank here sees most.
_NATIONAL_LENGTHS = {
    "1": (10, 10), "7": (10, 10), "33": (9, 9), "34": (9, 9), "39": (9, 11), "44": (9, 10),
    "49": (7, 11), "60": (9, 10), "61": (9, 9), "65": (8, 8), "66": (8, 9), "81": (9, 10),
    "82": (8, 10), "84": (9, 10), "86": (10, 11), "91": (10, 10), "852": (8, 8), "853": (8, 8),
    "886": (8, 9),
}  # fmt: skip
_DEFAULT_NATIONAL = (7, 12)

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def _iban_ok(iban: str) -> bool:
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


# --------------------------------------------------------------------------- patterns
# Finding candidates is what costs, so it is done in two steps. `chunk` finds stretches of at
# least nine digits and separators (every card, ID or phone number is that long), or two
# digits right after two letters (an IBAN or a National Insurance number); it starts with a
# character class, so the regex engine skips words at C speed. Only inside those stretches
# does `scan` (the alternatives below, tried in this order) look for numbers. A candidate
# that its check refuses is retried against the alternatives after it at the same place,
# then the scan moves on by one character. Group names are unique so that each alternative
# also compiles on its own (for that retry). Look-behinds come after the first character
# where they can, which lets the engine drop an alternative on its first character.
# Patterns are written with \d and compiled with [0-9] (faster, and only ASCII digits count:
# full-width ones are turned into ASCII first).

_MOBILE_TAIL = (  # the [3-9]x 4 4 (or [3-9]xx 3 4) digits of a mainland mobile, after its 1
    r"[3-9]\d(?:(?P<{0}_a>[ \-]?)\d{{4}}(?P={0}_a)|\d(?P<{0}_b>[ \-])\d{{3}}(?P={0}_b))"
    r"\d{{4}}(?!\d)"
)
# the groups after + or 00: at most 15 digits in at most 8 groups (bounded, so that a long
# run of "+1 +1 +1 ..." costs a fixed amount per place tried)
_INTL_TAIL = r"\(?\d{1,15}\)?(?:[ .\-]?\(\d{1,15}\)|[ .\-]\(?\d{1,15}\)?|(?<=\))\d{1,15}){0,8}"
_NANP_TAIL = r"(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .\-])[2-9]\d{2}[ .\-]\d{4}(?!\d)"

# (first character and the checks on what precedes it, [(kind, the rest), ...]) in order:
# at one place the first alternative that matches and passes its check wins.
_ALTERNATIVES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    # a digit not glued to another digit, nor right after "<digit>." (the fraction of a
    # decimal, 0.9123456789012345, or the rest of a dotted number, 139.75.245.208), nor the
    # first of three digits after "<digit>," (a thousands group: $3,026 2028 2022)
    (
        r"\d(?<!\d\d)(?<!\d\.\d)(?!(?<=\d,\d)\d\d(?!\d))",
        (
            # 110105 19491231 002X, 110105-19491231-0021
            ("idg", r"\d{5}(?P<idg_sep>[ \-])\d{8}(?P=idg_sep)\d{3}[\dXx](?![\dA-Za-z])"),
            # 123-45-6789
            ("ssn", r"(?<!\d-\d)\d{2}-\d{2}-\d{4}(?!\d|-\d)"),
            # 13800138000, 138 0013 8000, 138-0013-8000, 1380 013 8000
            ("mobile", r"(?<=1)(?<!\+\d)" + _MOBILE_TAIL.format("m1")),
            # the same after 86 or 0086
            ("mobile86", r"(?<=8)(?<!\+\d)6[ \-]?1" + _MOBILE_TAIL.format("m2")),
            ("mobile0086", r"(?<=0)(?<!\+\d)086[ \-]?1" + _MOBILE_TAIL.format("m3")),
            # 0044 20 7946 0958
            ("intl00", r"(?<=0)(?<!\+\d)0(?=[1-9])" + _INTL_TAIL),
            # 4111 1111 1111 1111, 4111-1111-1111-1111, 4111.1111.1111.1111,
            # 6222 0212 3456 7890 123, 3782-822463-10005 (Amex 4-6-5), 3056 930902 5904 (Diners)
            (
                "cardg",
                r"\d{3}(?P<cg_sep>[ .\-])"
                r"(?:\d{4}(?P=cg_sep)\d{4}(?P=cg_sep)\d{1,4}(?P<cg_tail>(?P=cg_sep)\d{1,4})?"
                r"|\d{6}(?P=cg_sep)\d{4,5})(?!\d)",
            ),
            # 1-415-555-2671, 1 (415) 555-2671
            ("us1", r"(?<=1)(?<!\+\d)[ .\-]?" + _NANP_TAIL),
            # 415-555-2671, 415.555.2671, 415 555 2671 (one separator throughout)
            ("us", r"(?<=[2-9])(?<!\+\d)\d{2}(?P<us_s>[ .\-])[2-9]\d{2}(?P=us_s)\d{4}(?!\d)"),
            # with a trunk 0: 020 7946 0958 (3-4-4), 0161 496 0000 (4-3-4), 07911 123456 (5-6),
            # 010-12345678 and 0755-1234567 (area-number, with a dash)
            (
                "trunk",
                r"(?<=0)(?<!\+\d)[1-9]"
                r"(?:\d(?P<tk_a>[ \-])\d{4}(?P=tk_a)\d{4}|\d{2}(?P<tk_b>[ \-])\d{3}(?P=tk_b)\d{4}"
                r"|\d{3}[ \-]\d{6}|\d{1,2}-\d{7,8})(?!\d)",
            ),
            # any unbroken run of 10-19 digits, or 17 digits and an X
            ("run", r"\d{9,18}(?:[Xx](?![0-9A-Za-z]))?(?!\d)"),
        ),
    ),
    # a + not glued to a digit or another +
    (
        r"\+(?<![\d+]\+)",
        (
            # +86 138 0013 8000, +8613800138000
            ("mobile86p", r"86[ \-]?1" + _MOBILE_TAIL.format("m4")),
            # +44 20 7946 0958, +1 (415) 555-2671, +442079460958, +44 (0)20 7946 0958
            ("intl", _INTL_TAIL),
        ),
    ),
    # a ( not glued to a digit or a +
    (
        r"\((?<![\d+]\()",
        (
            # (+86) 138 0013 8000, (86)13800138000
            ("mobile86b", r"\+?86\) ?1" + _MOBILE_TAIL.format("m5")),
            # (+44) 20 7946 0958
            ("intlb", r"\+\d{1,3}\)" + _INTL_TAIL.replace(r"\(?\d{1,15}\)?", r" ?\d{1,15}", 1)),
            # (415) 555-2671, (415)555-2671
            ("usp", r"[2-9]\d{2}\) ?[2-9]\d{2}[ .\-]\d{4}(?!\d)"),
            # (020) 7946 0958, (0161) 496 0000, (0755) 1234 5678, (010)12345678
            ("trunkp", r"0[1-9]\d{1,3}\) ?\d{3,4}[ \-]?\d{4}(?!\d)"),
        ),
    ),
)
_CHUNK = (
    r"[\d+(](?:[\d ().+\-]{8,}"
    r"|\d(?<=[A-Za-z ]\d\d)(?:(?<=[A-Za-z]{2}\d\d)"  # GB82..., QQ123456C
    r"|(?<=[A-Z]{2} \d\d)))"  # QQ 12 34 56 C
)
# GB82 WEST 1234 5698 7654 32, DE89370400440532013000 (country, length and mod-97 checked after)
_IBAN = r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?: ?[0-9A-Za-z]{4}){2,8}(?: ?[0-9A-Za-z]{1,3})?"
# QQ123456C, qq123456c, QQ 12 34 56 C (no D, F, I, U, V first; no D, F, I, O, U, V second)
_NINO = (
    r"(?<![0-9A-Za-z])(?:(?i:[A-CEGHJ-TW-Z][A-CEGHJ-NP-TW-Z][0-9]{6}[A-D])"
    r"|[A-CEGHJ-TW-Z][A-CEGHJ-NP-TW-Z] [0-9]{2} [0-9]{2} [0-9]{2} [A-D])(?![0-9A-Za-z])"
)
_ENOUGH = r"\d(?:\D*\d){5}"  # no card, ID or phone number has fewer than six digits


def _compile(pattern: str) -> re.Pattern[str]:
    pattern = pattern.replace(r"[\d", "[0-9").replace(r"\D", "[^0-9]").replace(r"\d", "[0-9]")
    return re.compile(pattern)


_ENOUGH_RE = _compile(_ENOUGH)
_CHUNK_RE = _compile(_CHUNK)
# Each alternative ends with an empty group named after its kind: `lastgroup` names it, and
# an alternative still starts with a character, which the engine tests before anything else.
_SCAN_RE = _compile(
    "|".join(
        first + "(?:" + "|".join(f"{rest}(?P<{kind}>)" for kind, rest in group) + ")"
        for first, group in _ALTERNATIVES
    )
)
_SINGLE_RE = {
    kind: _compile(f"{first}{rest}(?P<{kind}>)")
    for first, group in _ALTERNATIVES
    for kind, rest in group
}
_IBAN_RE = re.compile(_IBAN)
_NINO_RE = re.compile(_NINO)
_DIGIT_GROUP = re.compile(r"[0-9]+")
# After a refused candidate: the kinds after it that start with the same character.
_LATER = {
    kind: tuple(k for k, _ in group[i + 1 :])
    for _, group in _ALTERNATIVES
    for i, (kind, _) in enumerate(group)
}

# --------------------------------------------------------------------------- checks per kind
# Each takes a match and the kind (group name) that matched, and returns (label, tag, lo, hi):
# the tag replaces match[lo:hi] (mostly the whole match), or None when the candidate is not
# what it looks like.

Found = tuple[str, str, int, int] | None


def _check_iban(m: re.Match[str]) -> Found:
    found = m.group()
    positions = [i for i, ch in enumerate(found) if ch != " "]
    written = "".join(found[i] for i in positions)
    compact = written.upper()
    length = _IBAN_LENGTHS.get(compact[:2], 99)  # a country with IBANs, and its length
    if len(compact) < length:
        return None
    end = positions[length - 1] + 1
    after = found[end] if end < len(found) else m.string[m.end() : m.end() + 1]
    if after.isascii() and after.isalnum():  # glued to a longer word
        return None
    if not _iban_ok(compact[:length]):
        return None
    return ID, _tag(ID, written[:length]), 0, end


def _check_idg(m: re.Match[str], kind: str) -> Found:
    found = m.group()
    value = _digits(found) + ("X" if found[-1] in "Xx" else "")
    if _id18_plausible(value):
        return ID, _tag(ID, _alnum(found)), 0, len(found)
    return None


def _check_ssn(m: re.Match[str], kind: str) -> Found:
    digits = _digits(m.group())
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return None
    return ID, _tag(ID, digits), 0, len(m.group())


_MOBILE_SEGMENT = re.compile(r"1(?:3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])")


def _check_mobile(m: re.Match[str], kind: str) -> Found:
    found = m.group()
    digits = _digits(found)
    # Written in groups, three or four digits can be anything (a year, an id): the first
    # three must then be a segment that operators use. A bare 1[3-9] + 9 digits is a phone.
    if (" " in found[-13:] or "-" in found[-13:]) and not _MOBILE_SEGMENT.match(digits[-11:]):
        return None
    return PHONE, _tag(PHONE, digits), 0, len(found)


def _check_phone(m: re.Match[str], kind: str) -> Found:
    found = m.group()
    digits = _digits(found)
    if kind in ("trunk", "trunkp") and not 10 <= len(digits) <= 12:
        return None
    return PHONE, _tag(PHONE, digits), 0, len(found)


def _check_intl(m: re.Match[str], kind: str) -> Found:
    found = m.group()
    dialled_00 = kind == "intl00"
    groups = [
        g
        for g in _DIGIT_GROUP.finditer(found, 2 if dialled_00 else found.index("+") + 1)
        # a "(0)" after the country code is the trunk prefix some write in: not dialled
        if found[g.start() - 1 : g.end() + 1] != "(0)"
    ]
    if not groups or (dialled_00 and len(groups) < 2):
        return None
    first = _digits(groups[0].group())
    code = next((first[:n] for n in (1, 2, 3) if first[:n] in _COUNTRY_CODES), None)
    if code is None:
        return None
    if dialled_00 and (first != code or code not in _NATIONAL_LENGTHS or "." in found):
        return None  # 00, a code with known lengths, apart from the number: 0044 20 7946 0958
    low, high = _NATIONAL_LENGTHS.get(code, _DEFAULT_NATIONAL)
    best, count, separator = None, -len(code), None
    for i, group in enumerate(groups):  # the longest run of groups that is a whole number
        if dialled_00 and i >= 2:  # after 00 and the code, one separator throughout
            between = found[groups[i - 1].end() : group.start()]
            if separator is None:
                separator = between
            elif between != separator:
                break
        count += len(group.group())
        if count > high:
            break
        if count >= low:
            best = group
    if best is None or m.string[m.start() + best.end() : m.start() + best.end() + 1].isdigit():
        return None  # (a group cut short by the 15-digit bound)
    return PHONE, _tag(PHONE, _digits(found[: best.end()])), 0, best.end()


def _check_cardg(m: re.Match[str], kind: str) -> Found:
    found = m.group()
    digits = _digits(found)
    # 4-6-5 is how Amex (34, 37) prints its numbers, 4-6-4 Diners (30, 36, 38, 39)
    grouping_owners = ("34", "37") if len(digits) == 15 else ("30", "36", "38", "39")
    if found[5:11].isdigit() and digits[:2] not in grouping_owners:
        return None
    if _card_ok(digits):
        return CARD, _tag(CARD, digits), 0, len(found)
    tail = m.group("cg_tail")
    if tail:
        head = _digits(found[: len(found) - len(tail)])
        if _card_ok(head):  # a number after the card: "... 1111 2026"
            return CARD, _tag(CARD, head), 0, len(found) - len(tail)
        rest = _digits(found[5:])
        if _card_ok(rest):  # a number before it: "2026 4111 1111 1111 1111"
            return CARD, _tag(CARD, rest), 5, len(found)
    return None


def _classify_run(digits: str) -> str | None:
    """What an unbroken run of 10-19 ASCII digits is, if anything."""
    n = len(digits)
    if n == 18 and _id18_plausible(digits):
        return ID if _id18_checksum(digits) or not _card_ok(digits) else CARD
    if (
        _mobile_cn(digits)
        or (n == 13 and digits[:2] == "86" and _mobile_cn(digits[2:]))
        or (n == 15 and digits[:4] == "0086" and _mobile_cn(digits[4:]))
        or _nanp(digits)
        or (n == 11 and digits[0] == "1" and _nanp(digits[1:]))
        or (10 <= n <= 12 and digits[0] == "0" and digits[1] != "0")
    ):
        return PHONE
    if _card_ok(digits):
        return CARD
    if n == 15 and _id15_ok(digits):
        return ID
    return None


def _check_run(m: re.Match[str], kind: str) -> Found:
    found = m.group()
    digits = found.rstrip("Xx")
    if digits != found and len(digits) == 17 and _id18_plausible(digits + "X"):
        return ID, _tag(ID, found), 0, len(found)
    label = _classify_run(digits)
    if label is None:
        return None
    return label, _tag(label, digits), 0, len(digits)


_CHECKS: dict[str, Callable[[re.Match[str], str], Found]] = {
    "idg": _check_idg,
    "ssn": _check_ssn,
    "mobile": _check_mobile,
    "mobile86": _check_mobile,
    "mobile0086": _check_mobile,
    "intl00": _check_intl,
    "cardg": _check_cardg,
    "us1": _check_phone,
    "us": _check_phone,
    "trunk": _check_phone,
    "run": _check_run,
    "mobile86p": _check_mobile,
    "intl": _check_intl,
    "mobile86b": _check_mobile,
    "intlb": _check_intl,
    "usp": _check_phone,
    "trunkp": _check_phone,
}
assert set(_CHECKS) == set(_LATER)
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LETTERS = _UPPER | frozenset("abcdefghijklmnopqrstuvwxyz")
_GLUE = _LETTERS | {"-"}
_TOKEN = _GLUE | frozenset("0123456789")


def _glued_letters(text: str, start: int) -> tuple[int, int, str, str, int, int] | None:
    """An IBAN or National Insurance number whose letters come just before `start`."""
    for at in (start - 2, start - 3):  # "GB82...", "QQ123456C"; "QQ 12 34 56 C"
        if at < 0 or text[at] not in _LETTERS or text[at + 1] not in _LETTERS:
            continue
        m = _IBAN_RE.match(text, at)
        if m is not None:
            found = _check_iban(m)
            if found is not None:
                return (at, m.end(), *found)
        m = _NINO_RE.match(text, at)
        if m is not None:
            return at, m.end(), ID, _tag(ID, _alnum(m.group())), 0, m.end() - at
    return None


def _hex_identifier_at(text: str, at: int) -> bool:
    """Whether text[at] lies in a hexadecimal identifier (a UUID, a hash, a trace id)."""
    # (looking at most 64 characters either way, so that a long blob costs no more)
    left, right = at, at + 1
    stop_left, stop_right = max(0, at - 64), min(len(text), at + 65)
    while left > stop_left and text[left - 1] in _TOKEN:
        left -= 1
    while right < stop_right and text[right] in _TOKEN:
        right += 1
    token = text[left:right]
    if token != token.lower() and token != token.upper():
        return False  # mixed case: words, not hexadecimal
    token = token.lower()
    if token.strip("0123456789abcdef-"):
        return False  # a letter past f: a word ("card4111...")
    letters = sum(map(token.count, "abcdef"))
    return letters >= 2 or (letters == 1 and len(token) >= 16)


def _in_hex_identifier(text: str, begin: int, end: int) -> bool:
    """Whether a number glued to a letter or a dash is only part of a hexadecimal identifier."""
    before, after = text[begin - 1 : begin], text[end : end + 1]
    return (before in _GLUE and _hex_identifier_at(text, begin - 1)) or (
        after in _GLUE and _hex_identifier_at(text, end)
    )


# --------------------------------------------------------------------------- masking

_ALL_LABELS = frozenset({CARD, ID, PHONE})
_CARD_AND_ID_LABELS = frozenset({CARD, ID})


def _mask(original: str, labels: frozenset[str]) -> str:
    if not original:
        return original
    text = original
    if not text.isascii() and _FULL_WIDTH_NEEDED.search(text):
        text = text.translate(_FULL_WIDTH)
    if _ENOUGH_RE.search(text) is None:
        return original
    out: list[str] = []
    last = pos = 0
    size = len(text)
    chunk_search, scan = _CHUNK_RE.search, _SCAN_RE.search

    def emit(begin: int, label: str, tag: str, lo: int, hi: int) -> None:
        nonlocal last
        if label in labels:
            out.append(original[last : begin + lo])
            out.append(tag)
            last = begin + hi

    while True:
        chunk = chunk_search(text, pos)
        if chunk is None:
            break
        start, stop = chunk.span()
        before = text[start - 1] if start else ""
        if before in _LETTERS or (before == " " and text[start - 2 : start - 1] in _UPPER):
            glued = _glued_letters(text, start)
            if glued is not None:
                emit(glued[0], *glued[2:])
                pos = glued[1]
                continue
        if stop - start < 9:  # only two digits after two letters, and not an IBAN
            pos = stop
            continue
        limit = min(size, stop + 2)  # a number may end one character past it (an ID's X)
        pos = start
        while True:
            m = scan(text, pos, limit)
            if m is None:
                break
            begin, kind = m.start(), m.lastgroup
            found = _CHECKS[kind](m, kind)
            if found is None:
                for later in _LATER[kind]:
                    m = _SINGLE_RE[later].match(text, begin, limit)
                    if m is not None:
                        found = _CHECKS[later](m, later)
                        if found is not None:
                            break
                if found is None:
                    pos = begin + 1
                    continue
            end = m.end()
            if _in_hex_identifier(text, begin, end):
                pos = begin + 1
                continue
            emit(begin, *found)
            pos = end  # a number not masked (a phone, for mask_card_and_id) is skipped whole
        pos = max(pos, stop)
    if not out:
        return original
    out.append(original[last:])
    return "".join(out)


def mask_pii(text: str) -> str:
    """Return `text` with every card, ID and phone number replaced by a tag keeping 4 characters."""
    return _mask(text, _ALL_LABELS)


def mask_card_and_id(text: str) -> str:
    """Like :func:`mask_pii`, but phone numbers are left as they are.

    For a customer's message before it is stored: cards and ID numbers (resident IDs, SSNs,
    National Insurance numbers, IBANs) become ``[CARD ****1111]`` / ``[ID ****002X]``, so the
    assistant still has the last four characters.
    """
    return _mask(text, _CARD_AND_ID_LABELS)
