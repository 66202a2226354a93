"""What mask_pii and mask_card_and_id mask, and the ordinary numbers they leave alone."""

# ruff: noqa: RUF001 - the test data is Chinese text: full-width commas, digits and spaces

from __future__ import annotations

import pytest

from core.pii import mask_card_and_id, mask_pii

# ---------------------------------------------------------------------------- one number
# (text, the number as written in it, the tag it must become). The whole expected output is
# the text with that number replaced by the tag: the digits are gone, the label and the last
# four characters are there, and nothing around the number is touched.

CARDS = [
    ("my card 4111 1111 1111 1111 was charged twice", "4111 1111 1111 1111", "[CARD ****1111]"),
    ("card 4111-1111-1111-1111 blocked", "4111-1111-1111-1111", "[CARD ****1111]"),
    ("card 4111.1111.1111.1111 blocked", "4111.1111.1111.1111", "[CARD ****1111]"),
    ("card number 4111111111111111 please", "4111111111111111", "[CARD ****1111]"),
    ("card:4111111111111111", "4111111111111111", "[CARD ****1111]"),
    ("card#4111111111111111.", "4111111111111111", "[CARD ****1111]"),
    ("(4111111111111111)", "4111111111111111", "[CARD ****1111]"),
    ('[4111111111111111]{"entity": "card"}', "4111111111111111", "[CARD ****1111]"),
    ("my Amex 3782-822463-10005 expired", "3782-822463-10005", "[CARD ****0005]"),
    ("my Amex 3782 822463 10005 expired", "3782 822463 10005", "[CARD ****0005]"),
    ("amex 378282246310005", "378282246310005", "[CARD ****0005]"),
    ("mastercard 5500 0055 5555 5559", "5500 0055 5555 5559", "[CARD ****5559]"),
    ("mastercard 2-series 2223000048400011", "2223000048400011", "[CARD ****0011]"),
    ("discover 6011111111111117", "6011111111111117", "[CARD ****1117]"),
    ("JCB 3530 1113 3330 0000", "3530 1113 3330 0000", "[CARD ****0000]"),
    ("diners 3056 930902 5904", "3056 930902 5904", "[CARD ****5904]"),
    ("old visa 4222222222222", "4222222222222", "[CARD ****2222]"),
    ("卡号6222021234567890123", "6222021234567890123", "[CARD ****0123]"),  # UnionPay, no Luhn
    ("银联卡 6222 0212 3456 7890 丢了", "6222 0212 3456 7890", "[CARD ****7890]"),
    ("银联卡6222-0212-3456-7890-123", "6222-0212-3456-7890-123", "[CARD ****0123]"),
    ("UnionPay 6212345678901232 ok", "6212345678901232", "[CARD ****1232]"),  # Luhn passes too
    # full width, as a Chinese IME types it
    (
        "卡号：４１１１１１１１１１１１１１１１",
        "４１１１１１１１１１１１１１１１",
        "[CARD ****1111]",
    ),
    (
        "卡号：６２２２　０２１２　３４５６　７８９０，谢谢",
        "６２２２　０２１２　３４５６　７８９０",
        "[CARD ****7890]",
    ),
    ("card 4111 1111 1111 1111 2027", "4111 1111 1111 1111", "[CARD ****1111]"),  # then a year
    ("in 2026 4111 1111 1111 1111", "4111 1111 1111 1111", "[CARD ****1111]"),  # after a year
    ("card4111111111111111", "4111111111111111", "[CARD ****1111]"),  # glued to a word
]

IDS = [
    ("身份证11010519491231002X", "11010519491231002X", "[ID ****002X]"),
    ("ID 11010519491231002x.", "11010519491231002x", "[ID ****002x]"),
    ("身份证号 110105 19491231 002X 谢谢", "110105 19491231 002X", "[ID ****002X]"),
    (
        "身份证：１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "[ID ****002X]",
    ),
    ("id 440306-19900307-1232 ok", "440306-19900307-1232", "[ID ****1232]"),
    ("身份证440306199003071232", "440306199003071232", "[ID ****1232]"),
    ("身份证620102197806158815", "620102197806158815", "[ID ****8815]"),  # starts 62: still an ID
    # check character wrong (X expected), region and birth date real: masked all the same
    ("身份证110105194912310021", "110105194912310021", "[ID ****0021]"),
    ("老身份证110105491231002", "110105491231002", "[ID ****1002]"),  # 15 digits, 1949-12-31
    ("SSN 123-45-6789", "123-45-6789", "[ID ****6789]"),
    ("my NI number is QQ123456C.", "QQ123456C", "[ID ****456C]"),
    ("NI qq123456c", "qq123456c", "[ID ****456c]"),
    ("NI: QQ 12 34 56 C", "QQ 12 34 56 C", "[ID ****456C]"),
    ("IBAN GB82 WEST 1234 5698 7654 32 please", "GB82 WEST 1234 5698 7654 32", "[ID ****5432]"),
    ("IBAN GB82WEST12345698765432", "GB82WEST12345698765432", "[ID ****5432]"),
    ("iban gb82 west 1234 5698 7654 32", "gb82 west 1234 5698 7654 32", "[ID ****5432]"),
    ("IBAN:DE89370400440532013000", "DE89370400440532013000", "[ID ****3000]"),
    ("IBAN DE89 3704 0044 0532 0130 00 ok", "DE89 3704 0044 0532 0130 00", "[ID ****3000]"),
    ("FR1420041010050500013M02606", "FR1420041010050500013M02606", "[ID ****2606]"),
    ("to NL91ABNA0417164300 today", "NL91ABNA0417164300", "[ID ****4300]"),
]

PHONES = [
    ("call 13800138000", "13800138000", "[PHONE ****8000]"),
    ("手机号13800138000", "13800138000", "[PHONE ****8000]"),
    ("call 138 0013 8000", "138 0013 8000", "[PHONE ****8000]"),
    ("call 138-0013-8000", "138-0013-8000", "[PHONE ****8000]"),
    ("call 1380 013 8000", "1380 013 8000", "[PHONE ****8000]"),
    ("call +86 138 0013 8000", "+86 138 0013 8000", "[PHONE ****8000]"),
    ("call +8613800138000", "+8613800138000", "[PHONE ****8000]"),
    ("call +86-138-0013-8000", "+86-138-0013-8000", "[PHONE ****8000]"),
    ("call 8613800138000", "8613800138000", "[PHONE ****8000]"),
    ("call 86 13800138000", "86 13800138000", "[PHONE ****8000]"),
    ("call 0086 138 0013 8000", "0086 138 0013 8000", "[PHONE ****8000]"),
    ("call 008613800138000", "008613800138000", "[PHONE ****8000]"),
    ("电话(+86)13800138000", "(+86)13800138000", "[PHONE ****8000]"),
    ("电话：１３８００１３８０００", "１３８００１３８０００", "[PHONE ****8000]"),  # full width
    ("电话：１３８ ００１３ ８０００。", "１３８ ００１３ ８０００", "[PHONE ****8000]"),
    ("（＋８６）１３８００１３８０００", "（＋８６）１３８００１３８０００", "[PHONE ****8000]"),
    ("London +44 20 7946 0958", "+44 20 7946 0958", "[PHONE ****0958]"),
    ("London +44 (0)20 7946 0958", "+44 (0)20 7946 0958", "[PHONE ****0958]"),
    ("London (+44) 20 7946 0958", "(+44) 20 7946 0958", "[PHONE ****0958]"),
    ("London +442079460958", "+442079460958", "[PHONE ****0958]"),
    ("London 0044 20 7946 0958", "0044 20 7946 0958", "[PHONE ****0958]"),
    ("London (020) 7946 0958", "(020) 7946 0958", "[PHONE ****0958]"),
    ("London 020 7946 0958", "020 7946 0958", "[PHONE ****0958]"),
    ("mobile 07911 123456", "07911 123456", "[PHONE ****3456]"),
    ("SF 415-555-2671", "415-555-2671", "[PHONE ****2671]"),
    ("SF (415) 555-2671", "(415) 555-2671", "[PHONE ****2671]"),
    ("SF 415.555.2671", "415.555.2671", "[PHONE ****2671]"),
    ("SF 4155552671", "4155552671", "[PHONE ****2671]"),
    ("SF +1 415 555 2671", "+1 415 555 2671", "[PHONE ****2671]"),
    ("SF +1 (415) 555-2671", "+1 (415) 555-2671", "[PHONE ****2671]"),
    ("SF 1-415-555-2671", "1-415-555-2671", "[PHONE ****2671]"),
    ("SF +14155552671", "+14155552671", "[PHONE ****2671]"),
    ("called +1 415 555 2671 12 times", "+1 415 555 2671", "[PHONE ****2671]"),
    ("北京 010-12345678", "010-12345678", "[PHONE ****5678]"),
    ("深圳0755-12345678", "0755-12345678", "[PHONE ****5678]"),
    ("Beijing +86 10 1234 5678", "+86 10 1234 5678", "[PHONE ****5678]"),
    ("Hong Kong +852 9123 4567", "+852 9123 4567", "[PHONE ****4567]"),
    ("Moscow +7 495 123-45-67", "+7 495 123-45-67", "[PHONE ****4567]"),
    ("Paris +33 1 23 45 67 89", "+33 1 23 45 67 89", "[PHONE ****6789]"),
]


@pytest.mark.parametrize(("text", "number", "tag"), CARDS + IDS + PHONES)
def test_a_number_is_masked_keeping_its_label_and_last_four(text, number, tag) -> None:
    masked = mask_pii(text)
    assert number not in masked
    assert tag in masked
    assert masked == text.replace(number, tag)


# ---------------------------------------------------------------------------- left alone

ORDINARY = [
    "Transfer of 1,200.50 to savings done",
    "Amount: CNY 1,234,567.89",
    "¥3000 has been refunded",
    "我转了500块给他",
    "CNY 12000 limit reached",
    "贷款1.5万，期限36个月",
    "balance 50000.00, overdraft 0.00",
    "on 2026-11-23 at 10:30",
    "2026-11-23T10:30:15.123456+08:00 INFO ok",
    "due 23/11/2026",
    "11月3号下午3点",
    "in 2025 and 2026",
    "card ending 1234",
    "尾号1234的卡",
    "complaint CMP-20261123-0042 opened",
    "ref 88123456",
    "reference 123456, ticket 1234567",
    "order 2026112300001234567",  # 19 digits, fails Luhn, not 62
    "order 2026112300001234568",  # passes Luhn by chance, but no card starts 2026
    "4111111111111112",  # fails Luhn
    "TXN20261123000123",
    "txn 7f3e9a2b-4c1d-4e8a-9b2f-1a2b3c4d5e6f",
    "rate 3.85% APR, fee 12%",
    "intent greet confidence 0.9123456789012345",
    "ts 1700000000.123456",
    "took 1700000000129 ms",  # epoch milliseconds (passes Luhn; no card starts with 1)
    "IP 192.168.100.200",
    "version 3.11.7",
    "call 10086 or 95588",
    "page 1 of 12, items 1-20",
    "SSN 123-45-678",  # too short
    "SSN 000-12-3456",  # no 000 area
    "id 110105194913310021",  # month 13: no birth date, not an ID
    "id 000105194912310021",  # no region 00
    "IBAN DE89370400440532013001",  # mod-97 fails
    "IBAN GB00 WEST 1234 5698 7654 32",  # mod-97 fails
    "Amex-like 6145 175751 2026",  # 4-6-4 is Diners' grouping (30, 36, 38, 39) only
    "took 12.345678901234567 s",  # a fraction, not a card
    "peer 139.75.245.208 2011-11-18 07:28:36",  # an IP address then a date
    "paid $3,026 2028 2022",  # a thousands group, then years
    "customer-142 2023 1991-02-23",  # 142 is no mobile segment
    "尾号0081 2026-11-23",  # 00 and 81 are not a call to Japan here
    "msg 61e5228629037526 and 7c69980864911780",  # hexadecimal ids
    "trace d1a3e411-939a-54d8-6dce-3a4545676285 span f47e4b98-7fe9-c4e0-cd08-019762280284",
    "",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_numbers_are_left_exactly_as_they_are(text) -> None:
    assert mask_pii(text) == text
    assert mask_card_and_id(text) == text


# ---------------------------------------------------------------------------- sentences

SENTENCES = [
    ("cards 4111111111111111,5500005555555559", "cards [CARD ****1111],[CARD ****5559]"),
    (
        "我的手机号13800138000，卡号6222021234567890123",
        "我的手机号[PHONE ****8000]，卡号[CARD ****0123]",
    ),
    (
        "my thingy 6222 0212 3456 7890 never came, call 13812345678",
        "my thingy [CARD ****7890] never came, call [PHONE ****5678]",
    ),
    (
        "请把5000元转到卡号 6222 0212 3456 7890，我的电话是138-0013-8000，"
        "身份证11010519491231002X，投诉号CMP-20261123-0042",
        "请把5000元转到卡号 [CARD ****7890]，我的电话是[PHONE ****8000]，"
        "身份证[ID ****002X]，投诉号CMP-20261123-0042",
    ),
    (
        "Hi, card 4111-1111-1111-1111 and phone +1 (415) 555-2671; paid $1,200.50 on 2026-11-23",
        "Hi, card [CARD ****1111] and phone [PHONE ****2671]; paid $1,200.50 on 2026-11-23",
    ),
    (
        "My SSN is 123-45-6789, NI QQ123456C; IBAN GB82 WEST 1234 5698 7654 32.",
        "My SSN is [ID ****6789], NI [ID ****456C]; IBAN [ID ****5432].",
    ),
    (
        "2026-11-23 10:30:15 DEBUG rasa.core.processor [customer-5] Received user message "
        "'my card is 4111111111111111' with intent '{'name': 'card_lost', "
        "'confidence': 0.9123456789012345}'",
        "2026-11-23 10:30:15 DEBUG rasa.core.processor [customer-5] Received user message "
        "'my card is [CARD ****1111]' with intent '{'name': 'card_lost', "
        "'confidence': 0.9123456789012345}'",
    ),
    (
        '{"message": "user said [13800138000](phone) and 4111 1111 1111 1111", "n": 3}',
        '{"message": "user said [[PHONE ****8000]](phone) and [CARD ****1111]", "n": 3}',
    ),
    (
        "转账1,200.50元至尾号1234的账户，参考号88123456，时间2026-11-23 10:30",
        "转账1,200.50元至尾号1234的账户，参考号88123456，时间2026-11-23 10:30",
    ),
    (
        "London desk: +44 20 7946 0958 or (020) 7946 0958, US 415-555-2671",
        "London desk: [PHONE ****0958] or [PHONE ****0958], US [PHONE ****2671]",
    ),
    (
        "卡号4111111111111111手机13800138000身份证110105194912310021",
        "卡号[CARD ****1111]手机[PHONE ****8000]身份证[ID ****0021]",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_sentences_in_english_and_chinese(text, expected) -> None:
    assert mask_pii(text) == expected


# ---------------------------------------------------------------------------- cards and IDs only

CARD_AND_ID = [
    (
        "card 4111 1111 1111 1111, phone 13800138000",
        "card [CARD ****1111], phone 13800138000",
    ),
    (
        "身份证11010519491231002X 手机+86 138 0013 8000",
        "身份证[ID ****002X] 手机+86 138 0013 8000",
    ),
    (
        "call +44 20 7946 0958 about GB82WEST12345698765432",
        "call +44 20 7946 0958 about [ID ****5432]",
    ),
    (
        "我的手机号8613800138000，卡号6222021234567890123",
        "我的手机号8613800138000，卡号[CARD ****0123]",
    ),
    ("SSN 123-45-6789, cell 415-555-2671", "SSN [ID ****6789], cell 415-555-2671"),
]


@pytest.mark.parametrize(("text", "expected"), CARD_AND_ID)
def test_mask_card_and_id_keeps_phones(text, expected) -> None:
    assert mask_card_and_id(text) == expected


# ---------------------------------------------------------------------------- properties

EVERY_TEXT = [t for t, _, _ in CARDS + IDS + PHONES] + ORDINARY + [t for t, _ in SENTENCES]


@pytest.mark.parametrize("mask", [mask_pii, mask_card_and_id])
def test_masking_twice_changes_nothing_more(mask) -> None:
    for text in EVERY_TEXT:
        once = mask(text)
        assert mask(once) == once, text


def test_a_line_with_few_digits_is_returned_as_it_is() -> None:
    line = "INFO rasa.core.processor Predicted next action 'utter_greet' (5 of 12)"
    assert mask_pii(line) is line
    assert mask_card_and_id(line) is line


def test_long_and_hostile_input_stays_linear() -> None:
    import time

    texts = [
        "1" * 100_000,
        "1 " * 50_000,
        "+1 " * 30_000,
        "(0" * 40_000,
        "4111 1111 1111 1111 " * 5_000,
        "GB82 " * 20_000,
        "0086 " * 20_000,
        "abcdef0123456789" * 6_000,
        "+44 (0)" * 20_000,
        ("word " * 40 + "13800138000 ") * 500,
    ]
    for text in texts:
        started = time.perf_counter()
        mask_pii(text)
        assert time.perf_counter() - started < 5, text[:20]
