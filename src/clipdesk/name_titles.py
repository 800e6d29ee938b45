"""Titles written with a full stop before a person's name ("Dr. Jane Roe", "Gen. Vance"), and
the suffixes written so after it ("John Roe Jr.").

Two parts of the desk read them: an archive's credit line ("Dr. Jane Roe, The Herald") is an
author's name with such a title in it, where a word with a dot would make an outlet of it
(archive/gazetteer.py), and a suggested excerpt ends no sentence at a title's full stop ("Mr.
Smith said…" is one sentence, stories/excerpts.py). One list serves both, so a title either
use learns the other knows too. Abbreviations that stand before other words ("St. Ives", "No.
5", "Acme Co.") are the excerpt's own: in a credit line "Co." and "Ltd." name a company.
"""

from __future__ import annotations

# Casefolded, without the full stop: English titles (civil, military, religious, and the
# plural "Messrs"), French "Mme" and "Mlle" (English text writes them with a full stop), and
# the suffixes "Jr" and "Sr".
NAME_TITLES = frozenset(
    """mr mrs ms mx messrs mme mlle dr prof rev hon sen rep gov gen col capt lt sgt
    jr sr""".split()  # noqa: SIM905
)
