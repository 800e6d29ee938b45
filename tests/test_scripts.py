"""The scripts written without spaces between words, one list for search and the quote check:
search cuts Han and kana into one-character words, and a quote may begin anywhere in a line of
any of them."""

from __future__ import annotations

import re

import pytest

from clipdesk.scripts import HAN_AND_KANA, UNSPACED_SCRIPTS

HAN_AND_KANA_CHAR = re.compile(f"[{HAN_AND_KANA}]")
UNSPACED_CHAR = re.compile(f"[{UNSPACED_SCRIPTS}]")

# One character from each range: ideographs of every block (Extension B and G beyond the
# Basic Multilingual Plane), 々 and 〇, kana full-width and half-width.
CHINESE_AND_JAPANESE = "北㐀豈𠀀𰀀々〇ひでカーㇰｶ"
THAI_LAO_MYANMAR_KHMER = "ไລမក᧠"
# Korean sets its words apart by spaces; the others are no scripts without spaces at all.
SPACED = "한a1éبж。"


@pytest.mark.parametrize("char", CHINESE_AND_JAPANESE)
def test_han_and_kana_are_both_split_by_search_and_unspaced_for_quotes(char):
    assert HAN_AND_KANA_CHAR.fullmatch(char)
    assert UNSPACED_CHAR.fullmatch(char)


@pytest.mark.parametrize("char", THAI_LAO_MYANMAR_KHMER)
def test_thai_lao_myanmar_and_khmer_are_unspaced_but_not_han_or_kana(char):
    assert not HAN_AND_KANA_CHAR.fullmatch(char)
    assert UNSPACED_CHAR.fullmatch(char)


@pytest.mark.parametrize("char", SPACED)
def test_other_scripts_and_punctuation_are_neither(char):
    assert not HAN_AND_KANA_CHAR.fullmatch(char)
    assert not UNSPACED_CHAR.fullmatch(char)
