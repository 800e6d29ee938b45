"""Scripts written without spaces between words, as the inside of a regular expression's
character class (`f"[{HAN_AND_KANA}]"`).

Two parts of the desk must know where such a script's words can begin: search cuts Han and
kana text into one-character words (search/words.py), and the quote check lets a quote begin
and end anywhere in a line of any unspaced script (digest/quotes.py). The ranges are here, in
one place beside the other knowledge about writing (charsets.py, jalali.py), so that a range
added for one use (a new block of CJK ideographs) is not missed by the other. They are not in
watch/normalizing.py: that module folds text for matching and search, and the quote check
compares text unfolded (half-width katakana stay half-width there).
"""

from __future__ import annotations

# Han: CJK ideographs (the unified block, Extension A, the compatibility ideographs, and the
# supplementary planes 2 and 3, which hold only ideographs), the iteration mark 々 and the
# ideographic zero 〇.
HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
# Hiragana, Katakana (with its prolonged sound mark and the small kana for Ainu) and
# half-width Katakana, which NFKC (and so search's folding) turns into the full-width ones.
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
# Chinese and Japanese: search makes each of these characters a word of its own.
HAN_AND_KANA = HAN + KANA
# Thai and Lao (two blocks side by side), Myanmar, Khmer and its symbols.
THAI_LAO_MYANMAR_KHMER = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
# Every script whose words are not set apart by spaces (Korean is: it is not here).
UNSPACED_SCRIPTS = HAN_AND_KANA + THAI_LAO_MYANMAR_KHMER
