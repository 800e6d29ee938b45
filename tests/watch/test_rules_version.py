"""The matching rules' version is raised when matching changes what it finds.

An instance compares `matching.RULES_VERSION` with the version its stored matches were made
with, and tells the operator to run `watch rematch` when they differ; a change to matching
that keeps the version leaves every instance's stale matches unannounced. No test can see
every such change: this one runs the matcher over a fixed sample, chosen to pass through
most of its rules (acronyms and their plurals, addresses, variant spellings, false friends,
apostrophes, capitals-only marks, acronyms in text written all in capitals with and without
another mention, the Arabic article in both scripts, Persian and Arabic constructs, Persian
prefixes and suffixes written joined, apart or with a non-joiner, vowel signs of Devanagari
and Thai), and compares a hash of what it finds with
the one pinned for the current version.
"""

from __future__ import annotations

import hashlib
import json

from clipdesk.watch.matching import RULES_VERSION, Matcher

# What the sample finds, hashed, for each version of the rules. A new version gets a line of
# its own; a line once released is not changed.
PINNED = {
    1: "7b8e2c74b07905c9",
    2: "718c031e84faab91",
    3: "ea8b89316fbef939",
    4: "521f107383c9a5bc",
}

SAMPLE_WATCHLIST = {
    "Mojahedin-e Khalq": ["MEK", "PMOI", "People's Mujahedin", "مجاهدین خلق", "منظمة مجاهدي خلق"],
    "Hossein Ravandi": ["Ravandi", "حسین راوندی"],
    "Stone Quarry": ["Stone"],
    "AT&T": [],
    "Al-Qaeda": ["القاعدة"],
    "Massoud Farahani": ["Massoud"],
    "Jürgen Müller": ["Müller"],
    "Harbour Authority": ["HBA", "Autorité portuaire"],
    "El País": [],
    "Al Jazeera": ["الجزيرة"],
    "Kamal Nath": ["कमल नाथ", "कमल"],
    "Red Shirts": ["เสื้อแดง"],
    "NGOs": ["سازمان های مردم نهاد"],
    "Nemikhaham": ["کارزار نمیخواهم"],
}
# (headline, text); written for this test, with mentions, near misses and false friends.
SAMPLE_TEXTS = [
    ("MEK rally in Paris", "The M.E.K. and rival MEKs met; the Mek river and mek.org did not."),
    ("", "Write to info@MEK.org or visit MEK.Com and NCRI-Iran.org; MEK.Die Sitzung begann."),
    ("", "The People’s Mujahedin and the Peoples Mujahedin and the Mujahideen-e-Khalq spoke."),
    ("", "Hussein Rawandi, Husain Ravandy and Hossein Ravandi's office; a raven did not."),
    ("", "Stone said the stun grenade hit a stone wall; Stones, STONE."),
    ("", "AT&T and AT & T signed; she looked at T-shirts."),
    ("", "القاعدة تبنت الهجوم على قاعدة عسكرية."),
    ("", "سخنگوی مجاهدین‌خلق و منظمة مجاهدي خلق و مجاهدي‌خلق"),
    ("", "Masoud Farahani, Masud, Massoud and Mass mode."),
    (
        "",
        "Juergen Mueller, Jurgen Muller and J. Müller met the HBA and HBAs; "
        "hba and l'Autorité Portuaire.",
    ),
    ("حسین راوندی", "راوندي گفت"),
    ("", "El País and the País Vasco; Al Jazeera, al-Jazeera and Jazeera Airways; al-Qaeda."),
    ("कमल नाथ ने कहा", "कमाल का काम, कोमल आवाज़ और कमल"),
    ("", "กลุ่ม เสื้อแดง ไม่ใช่ เสือแดง"),
    (
        "نشست سازمانهای مردم نهاد در میدان شهر",
        "کارزار نمی خواهم، کارزار نمی\u200cخواهم و کارزار کمی خواهم؛ سازمان هاست مردم نهاد",
    ),
    (
        "HBA CHIEF QUITS OVER PORT FEES",
        "A Stone Quarry driver said: IT IS OVER FOR THE HBA. Fans queued for AT&T PHONES AGAIN.",
    ),
    ("HBA BOARD MEETS AGAIN", "The Harbour Authority, the MEK, PMOI and AT&T met."),
    ("", "Update: THE MEK RALLY IS OFF, aides said; the PMOI denied it."),
]


def sample_fingerprint() -> str:
    """A hash of every place the matcher finds in the sample: entity, alias and position, the
    parts `watch rematch` compares (the reason's wording is not among them)."""
    matcher = Matcher.build(SAMPLE_WATCHLIST)
    found = [
        [number, m.entity, m.alias, m.field, m.start, m.end, m.matched_text]
        for number, (headline, text) in enumerate(SAMPLE_TEXTS)
        for m in matcher.find(headline, text)
    ]
    encoded = json.dumps(sorted(found), ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def test_the_rules_version_is_the_latest_pinned():
    assert max(PINNED) == RULES_VERSION, (
        f"RULES_VERSION is {RULES_VERSION}, the latest version pinned here {max(PINNED)}: "
        "pin the sample's fingerprint for each version"
    )


def test_the_sample_finds_what_was_pinned_for_this_version():
    fingerprint = sample_fingerprint()
    assert fingerprint == PINNED[RULES_VERSION], (
        f"Matching finds something else in the sample than version {RULES_VERSION} did "
        f"(fingerprint {fingerprint}). Matches stored by the older rules are out of date: "
        f"raise RULES_VERSION in clipdesk/watch/matching.py to {RULES_VERSION + 1} and add "
        f'`{RULES_VERSION + 1}: "{fingerprint}"` to PINNED here, so that instances tell '
        "their operators to run `clipdesk watch rematch`. (If only this sample was changed, "
        "re-pin the current line instead.)"
    )


def test_the_sample_finds_some_places_and_passes_others_by():
    """A sample that found nothing, or everything, would pin no rule."""
    matcher = Matcher.build(SAMPLE_WATCHLIST)
    found = [matcher.find(headline, text) for headline, text in SAMPLE_TEXTS]
    assert all(found)
    assert ("Stone Quarry", "stun") not in {
        (m.entity, m.matched_text) for places in found for m in places
    }
