"""Who is an author and what is an outlet in a credit line such as "Jane Roe, The Herald".

Position alone cannot decide: legacy pages write "Newsweek, Jane Roe" as often as
"Jane Roe, Newsweek". The decision uses, in order of trust:
  1. the gazetteer: outlets known from the database or learned earlier from unambiguous
     credits ("A, B and C, date" lists, a lone non-person name before a date);
  2. a short built-in list of well-known outlets whose names carry no marker ("Newsweek");
  3. name heuristics: outlet marker words (Times, News, Daily, ...), acronyms (BBC),
     a leading "The", a parenthesised alias; person names are 2-4 capitalised name words;
     a marker word that is a surname too ("Sun", "Star", "Bee") marks an outlet as the
     name's last word ("Baltimore Sun"), except after a known given name ("Wei Sun");
  4. position ("Author, Outlet") only when all of the above leave a tie.

"A and B" (``CreditReader._list_members``) is one name or two, decided per part of a credit:
  - a name the gazetteer knows is never cut ("Foreign Policy and Defence Review", once it is
    an Outlet in the database or on the page), nor is a run of pieces that makes one;
  - two people are one pair of authors ("Jane Roe and Tomas Elder"; "Smith and Jones" too,
    standing before the outlet);
  - a piece that reads as nothing alone ("Arts", "Ladies"), or a lone newspaper word
    ("Post"), before an outlet's piece or another newspaper word belongs to that name:
    "Arts and Letters Daily", "Ladies and Gentlemen Weekly", "Post and Courier";
  - what is left is cut where every piece reads as an outlet or a person ("Tehran Times and
    Sun Daily", "Reuters and AP"), at "&" only where every piece reads as an outlet; after an
    outlet, at the end of a list, a bare name is a piece too ("Sun Daily, Harbour Lights and
    Gullwing"). Two names that both read as outlets are two outlets unless the whole is
    known: an outlet whose name is such a pair is kept whole by adding it to the outlets.

A state, province or country code after a name ("Bayside Herald, MD", "Valley Courier, Ky.",
"Lakeshore Tribune, ON", "The Herald, U.K.") says which of the papers of that name it is: it
is stored as part of the outlet's name in brackets, "Bayside Herald (MD)" (as an edition is),
and never as an outlet or an author of its own. After a city it is the city's ("Boston, MA"
is the place). Letters the gazetteer knows as an outlet ("PA") stay that outlet. In a list
each code is the name's it follows ("Bayside Herald, MD and Valley Courier, KY" names
"Bayside Herald (MD)" and "Valley Courier (KY)"); after a person's name, "MD and" is the
author's degree ("Osric Tallow, MD and Jane Roe" are the authors).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from clipdesk.archive.dates import is_undated_date
from clipdesk.name_titles import NAME_TITLES


def word_set(words: str) -> frozenset[str]:
    """A set from a whitespace-separated word list: long lists read best as plain words."""
    return frozenset(words.split())


# Outlets that are single plain words or otherwise lack a marker word; kept short on purpose:
# the gazetteer filled from the database is the real list.
WELL_KNOWN_OUTLETS = (
    "Newsweek", "Reuters", "Bloomberg", "Politico", "Axios", "Vox", "Slate", "Salon",
    "HuffPost", "Forbes", "Fortune", "Time", "Vice", "Quartz", "Wired", "Mondoweiss",
    "Counterpunch", "Truthout", "ProPublica", "Haaretz", "Xinhua", "Anadolu", "Euronews",
    "Deutsche Welle", "Der Spiegel", "Spiegel", "Le Monde", "Le Figaro", "Die Zeit",
    "El País", "Al Jazeera", "Al-Monitor", "Middle East Eye", "Rudaw", "Kurdistan24",
    "Sputnik", "Tasnim", "Fars", "Mehr", "The Intercept", "Mother Jones", "Jacobin",
    "Foreign Policy", "Foreign Affairs", "Vanity Fair", "The New Yorker", "The Atlantic",
    "The Economist", "The Hill", "The Nation", "Rolling Stone", "BuzzFeed", "Breitbart",
    "Asharq Al-Awsat", "Arab News", "France 24", "Radio Farda",
)  # fmt: skip

# Words that make a name an outlet (or a publishing organisation), compared case-insensitively.
OUTLET_MARKERS = word_set(
    """times news post daily agency tv radio press magazine journal tribune herald guardian
    independent online society gazette chronicle observer telegraph express mirror monitor
    review weekly monthly quarterly report reporter wire network channel broadcasting
    broadcast media today courier dispatch examiner inquirer sentinel standard bulletin digest
    insider voice register ledger globe mail newspaper newsletter blog zeitung nachrichten
    echo beacon clarion mercury argus advertiser messenger pioneer recorder spectator
    statesman gleaner courant banner bugle enquirer record telegram citizen advocate
    intelligencer transcript tidings picayune
    television fm podcast institute foundation council centre center committee association
    organization organisation ministry forum campaign watch affairs policy international
    world bbc cnn npr pbs cbs nbc abc afp ap irna isna
    courrier presse quotidien rundschau kurier diario jornal noticias notícias gazzetta
    corriere krant dagblad
    روزنامه نامه خبرگزاری ماهنامه نشریه رادیو تلویزیون شبکه سایت پایگاه
    صحيفة جريدة وكالة قناة موقع مجلة"""
)
# Newspaper words that are people's surnames too ("Baltimore Sun" and "Wei Sun", "Toronto
# Star", "Sacramento Bee" and "Samantha Bee"): the last word of a name, they mark an outlet
# unless the name is a known given name and that surname (``_given_name_and_surname``).
NAME_LIKE_MARKERS = word_set("sun star bee")
# Given names common in the languages of the archives read, only to tell "Wei Sun", a
# person, from "Baltimore Sun", a newspaper; a person whose given name is not here reads as
# an outlet where the surname is one of the words above, as a surname that is a marker word
# always did ("Emily Post"), and the "Author, Outlet" order still puts one standing before
# an outlet and after an author right.
GIVEN_NAMES = word_set(
    """aaron adam alan albert alex alexander alice amanda amber amy andrea andrew angela anna
    anne ann anthony arthur ashley barbara ben benjamin beth betty bill bob brandon brenda
    brian bruce carl carol caroline catherine charles charlotte chris christina christine
    christopher claire daniel david deborah debra dennis diana diane donald donna dorothy
    douglas edward elizabeth ellen emily emma eric evelyn frances frank gary george grace
    gregory hannah harold harry heather helen henry isabella jack jacob james jane janet
    jason jean jeffrey jennifer jeremy jessica joan joe john jonathan joseph joshua judith
    julia julie justin karen kate katherine kathleen kelly kenneth kevin kimberly larry
    laura lauren linda lisa louis lucy margaret maria marie mark martha mary matthew megan
    melissa michael michelle nancy natalie nicholas nicole olivia pamela patricia patrick
    paul peter rachel raymond rebecca richard robert ronald ruth ryan samantha samuel sandra
    sara sarah scott sharon sophia stephanie stephen steven susan thomas timothy tom victoria
    walter william
    mara osric tomas jo lee
    bin bo chao chen dan fei fang feng gang hao hong hua hui jian jie jing jun kai lan lei
    li lin ling mei min ming na nan peng ping qiang qing rui shan tao tian ting wei wen
    xia xiao xin xue yan yang yi ying yong yu yuan yue yun zhen zhi
    ji jin seung soo sung hyun young
    ali ahmad ahmed hassan hossein mohammad mohammed omar reza mehdi maryam fatemeh zahra
    leila amir sina"""
)
OUTLET_PHRASES = ("front page", "www.")
_DOMAIN = re.compile(r"\.(?:com|org|net|info|news|co\.uk|org\.uk|ir|de|fr|io)\b", re.IGNORECASE)
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&/.\-]{1,9}")
# The one list of lower-case linking words in names, shared with ``credits``:
# particles inside person names ("Ludwig van Hal", "Ana de la Fuente", "Omar al-Rashid",
# "Ortega y Gasset") ...
NAME_PARTICLES = word_set(
    """de des du da di do dos das del della delle dei degli der den van von ter ten zu zur
    la le les lo el al bin ibn ben bint y e d"""
)
# ... and, with them, the words that link an outlet's name ("The Mail on Sunday", "Le
# Courrier des Rives", "Diario de la Costa", "Die Zeit") or a pair of names ("Roe and Elder").
LINKING_WORDS = NAME_PARTICLES | word_set(
    "the a an and & of for in on at to und et für die das het los las il i"
)

KNOWN_PLACES = frozenset(
    name.casefold()
    for name in """
    Afghanistan|Albania|Algeria|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahrain|
    Bangladesh|Belarus|Belgium|Bolivia|Bosnia|Brazil|Bulgaria|Cambodia|Canada|Chile|China|
    Colombia|Croatia|Cuba|Cyprus|Czechia|Czech Republic|Denmark|Ecuador|Egypt|England|Estonia|
    Ethiopia|Europe|Finland|France|Georgia|Germany|Ghana|Greece|Hungary|Iceland|India|Indonesia|
    Iran|Iraq|Ireland|Israel|Italy|Japan|Jordan|Kazakhstan|Kenya|Kosovo|Kurdistan|Kuwait|Latvia|
    Lebanon|Libya|Lithuania|Luxembourg|Malaysia|Mexico|Moldova|Morocco|Nepal|Netherlands|
    New Zealand|Nigeria|North Korea|Norway|Oman|Pakistan|Palestine|Peru|Philippines|Poland|
    Portugal|Qatar|Romania|Russia|Saudi Arabia|Scotland|Serbia|Singapore|Slovakia|Slovenia|
    Somalia|South Africa|South Korea|Spain|Sri Lanka|Sudan|Sweden|Switzerland|Syria|Taiwan|
    Tajikistan|Thailand|Tunisia|Turkey|Turkmenistan|Ukraine|United Kingdom|United States|UK|
    US|USA|Uzbekistan|Venezuela|Vietnam|Wales|Yemen|Middle East|Africa|Asia|
    Amsterdam|Ankara|Athens|Baghdad|Baku|Bangkok|Barcelona|Basra|Beijing|Beirut|Belfast|
    Belgrade|Berlin|Birmingham|Bogota|Boston|Brisbane|Bristol|Brussels|Bucharest|Budapest|
    Buenos Aires|Cairo|Cape Town|Cardiff|Chicago|Cologne|Copenhagen|Damascus|Delhi|Doha|
    Dubai|Dublin|Edinburgh|Erbil|Frankfurt|Gaza|Geneva|Glasgow|Hamburg|Hanoi|Havana|Helsinki|
    Herat|Hong Kong|Isfahan|Islamabad|Istanbul|Jakarta|Jerusalem|Johannesburg|Kabul|Karachi|
    Kiev|Kyiv|Kirkuk|Kuala Lumpur|Lagos|Lahore|Leeds|Lima|Lisbon|Liverpool|London|
    Los Angeles|Lyon|Madrid|Manchester|Manila|Marseille|Mashhad|Melbourne|Mexico City|Miami|
    Milan|Minsk|Montreal|Moscow|Mosul|Mumbai|Munich|Muscat|Nairobi|Naples|New Delhi|New York|
    Oslo|Ottawa|Paris|Porto|Prague|Rabat|Riga|Rome|Rotterdam|Riyadh|San Francisco|Sanaa|
    Santiago|Sarajevo|Seoul|Shanghai|Shiraz|Sofia|Stockholm|Strasbourg|Sydney|Tabriz|
    Tallinn|Tashkent|Tbilisi|Tehran|Tel Aviv|The Hague|Tirana|Tokyo|Toronto|Tripoli|Tunis|
    Vancouver|Vienna|Vilnius|Warsaw|Washington|Washington DC|Washington D.C.|Wellington|
    Yerevan|Zagreb|Zurich""".replace("\n", "").split("|")
)


# What a newspaper's name is followed by, after a comma, to say which of the many Heralds and
# Couriers it is ("Bayside Herald, MD", "Valley Courier, Ky.", "Lakeshore Tribune, ON"): US
# states (postal codes, and the AP's abbreviations written with a full stop), Canadian
# provinces and territories, and the short names of a few countries. The code is part of the
# outlet's name, written in brackets ("Bayside Herald (MD)", see ``CreditReader``); read on
# its own it became a second outlet or author. Postal codes count in capitals only ("IN",
# "ON", "ME" are words too); each written form maps to the code stored.
_US_STATES = word_set(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE
    NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"""
)
_CANADIAN_PROVINCES = word_set("AB BC MB NB NL NS NT NU ON PE QC SK YT")
_AP_STATES = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT",
    "Del.": "DE", "D.C.": "DC", "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN",
    "Kan.": "KS", "Ky.": "KY", "La.": "LA", "Md.": "MD", "Mass.": "MA", "Mich.": "MI",
    "Minn.": "MN", "Miss.": "MS", "Mo.": "MO", "Mont.": "MT", "Neb.": "NE", "Nev.": "NV",
    "N.H.": "NH", "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC", "N.D.": "ND",
    "Okla.": "OK", "Ore.": "OR", "Pa.": "PA", "R.I.": "RI", "S.C.": "SC", "S.D.": "SD",
    "Tenn.": "TN", "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV", "Wis.": "WI",
    "Wyo.": "WY", "Ont.": "ON", "Que.": "QC", "B.C.": "BC", "Alta.": "AB", "Man.": "MB",
    "Sask.": "SK", "N.S.": "NS", "N.B.": "NB",
}  # fmt: skip
_COUNTRY_CODES = {
    "UK": "UK", "U.K.": "UK", "US": "US", "U.S.": "US", "USA": "USA", "U.S.A.": "USA",
    "UAE": "UAE", "U.A.E.": "UAE", "NZ": "NZ", "N.Z.": "NZ",
}  # fmt: skip
_REGION_CODES = {
    **{code: code for code in _US_STATES | _CANADIAN_PROVINCES},
    **_AP_STATES,
    **_COUNTRY_CODES,
}


def region_code(name: str) -> str | None:
    """The state, province or country code a name after an outlet is ("MD", "Ky." → "KY",
    "U.K." → "UK"), else None."""
    return _REGION_CODES.get(name.strip())


# Caches below: the same few names recur on every line of a page; all are pure functions.
@lru_cache(maxsize=16384)
def name_key(name: str) -> str:
    """Compare names ignoring case, punctuation, spacing and a leading "The"."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[\W_]+", "", text)


_WELL_KNOWN_KEYS = frozenset(name_key(n) for n in WELL_KNOWN_OUTLETS)
_LONGEST_WELL_KNOWN_KEY = max(map(len, _WELL_KNOWN_KEYS), default=0)
# The longest outlet name the gazetteer learns, in key characters (letters and digits).
LONGEST_NAME_KEY = 150


def _key_characters(text: str) -> str:
    """What name_key keeps of `text`, but for a leading "The": it works one character at a
    time, so the key of a name is that of its pieces one after the other, where each piece
    but the first begins with a space (which nothing before it joins)."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def reads_as_outlet(name: str) -> bool:
    """A marker word or shape (`has_outlet_marker`), or a name on the built-in list: what
    finding a credit without a date, or without a comma, asks of a name."""
    return has_outlet_marker(name) or name_key(name) in _WELL_KNOWN_KEYS


def _words(name: str) -> list[str]:
    return re.findall(r"[^\W_][\w'’.\-]*", name)


@lru_cache(maxsize=16384)
def is_place(name: str) -> bool:
    key = " ".join(name.split()).casefold()
    return key in KNOWN_PLACES or key.rstrip(".") in KNOWN_PLACES


@lru_cache(maxsize=16384)
def has_outlet_marker(name: str) -> bool:
    """The name heuristics alone (no lists): marker words, domains, acronyms, "The ..."."""
    text = name.strip()
    if not text:
        return False
    lowered = text.casefold()
    if any(phrase in lowered for phrase in OUTLET_PHRASES) or _DOMAIN.search(text):
        return True
    if re.search(r"\([^)]+\)", text):  # "Der Spiegel (Spiegel Online)": an alias in brackets
        return True
    words = _words(text)
    # A hyphenated word by its parts too: "Chicago Sun-Times", "Star-Ledger", "Post-Dispatch".
    parts = [part for word in words for part in word.casefold().strip(".").split("-") if part]
    if any(part in OUTLET_MARKERS for part in parts):
        return True
    if parts and parts[-1] in NAME_LIKE_MARKERS and not _given_name_and_surname(words):
        return True
    if _ACRONYM.fullmatch(text.replace(" ", "")) and sum(c.isalpha() for c in text) >= 2:
        return True  # TRT, BBC, AFP, RFE/RL
    return bool(re.match(r"the\s+[^\W\d_]", text, re.IGNORECASE))


def _given_name_and_surname(words: list[str]) -> bool:
    """ "Wei Sun", "Samantha Bee", "Dr. Jane Q. Star": a given name on the list (after a
    title), at most one more given name or initial, then the surname."""
    names = [word for word in words if word.casefold().rstrip(".") not in NAME_TITLES]
    if not 2 <= len(names) <= 3 or not names[0][:1].isupper():
        return False
    first, *middle = names[:-1]
    return first.casefold() in GIVEN_NAMES and all(
        word.casefold() in GIVEN_NAMES or _INITIAL.fullmatch(word) for word in middle
    )


_ARABIC_SCRIPT_WORD = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u200c]+")
# "al-Rashid", "d'Ormesson", "el-Sayed": a particle glued to the name by a hyphen or apostrophe.
_GLUED_PARTICLE = re.compile(r"([^\W\d_]{1,4})[-'’](?=[^\W\d_])")
# "J.", "J.R.", "Ó" (Irish), "O'" (as in "O' Neill"): short capitals, not acronyms.
_INITIAL = re.compile(r"(?:[^\W\d_]\.){1,3}|[^\W\d_]['’]?")


def without_particle(word: str) -> str:
    """The word without a particle glued to its front: "al-Rashid" gives "Rashid"."""
    glued = _GLUED_PARTICLE.match(word)
    if glued and glued.group(1).casefold() in NAME_PARTICLES:
        return word[glued.end() :]
    return word


def is_particle(word: str) -> bool:
    """ "van", "de", "al-", "d'": a particle standing as a word of its own."""
    folded = word.casefold()
    return folded in NAME_PARTICLES or folded.rstrip("-'’") in NAME_PARTICLES


# Degrees and ranks written after a name, with or without a comma ("Osric Tallow, PhD",
# "Mara Keel QC"), compared without full stops ("Ph.D."): part of the author's name, where
# they were read as an outlet of their own.
DEGREE_SUFFIXES = word_set("phd dphil md mba msc llm qc kc obe mbe cbe esq")


def is_degree(word: str) -> bool:
    return word.strip().replace(".", "").casefold() in DEGREE_SUFFIXES


def without_degree(name: str) -> str:
    """The name without a degree after it: "Osric Tallow, PhD" gives "Osric Tallow"."""
    head, _, last = name.strip().rpartition(" ")
    if head and is_degree(last):
        return head.rstrip(" ,")
    return name


def _is_name_word(word: str) -> bool:
    if is_particle(word):
        return True
    # A title with its full stop ("Dr. Jane Roe", "John Roe Jr."): a word with a dot in it is
    # no name word, and a titled author was read as an outlet (and stored as one).
    if word[0].isupper() and word.endswith(".") and word[:-1].casefold() in NAME_TITLES:
        return True
    if _ARABIC_SCRIPT_WORD.fullmatch(word):
        return True  # the script has no capitals: its outlets are told by their marker words
    if _INITIAL.fullmatch(word):  # "J.", "Ó", "O'"
        return word[0].isupper()
    word = without_particle(word)
    core = word.replace("-", "").replace("'", "").replace("’", "")
    if not core.isalpha() or not word[0].isupper():
        return False
    return any(c.islower() for c in core)  # "MEK" is an acronym, not a surname


@lru_cache(maxsize=16384)
def looks_like_person(name: str) -> bool:
    """Two to four capitalised name words and nothing that marks an outlet or a place; a
    degree may follow them."""
    text = without_degree(name).strip()
    words = text.split()
    if not 2 <= len(words) <= 4 or any(ch in text for ch in '()@/&:;"“”0123456789'):
        return False
    if is_particle(words[0]) or words[0].casefold() in {"the", "a", "an"}:
        return False
    if is_particle(words[-1]) or not all(_is_name_word(w) for w in words):
        return False
    return not has_outlet_marker(text) and not is_place(text)


class OutletGazetteer:
    """Outlet names known to an import, matched case- and punctuation-insensitively.

    One instance is shared across the files of an import so that an outlet learned from an
    unambiguous credit in one page helps decide ambiguous credits in the next.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._names: dict[str, str] = {}
        self.longest_key = _LONGEST_WELL_KNOWN_KEY  # no longer name is known, nor looked up
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        """Remember an outlet; "Der Spiegel (Spiegel Online)" is also known by either part."""
        if not isinstance(name, str) or not name.strip():
            return
        display = " ".join(name.split())
        keys = [name_key(display)]
        alias = re.fullmatch(r"(.+?)\s*\((.+)\)", display)
        if alias:
            keys.append(name_key(alias.group(1)))
            # "Bayside Herald (MD)": the state says which Herald, and is no outlet's name.
            if region_code(alias.group(2)) is None and not is_place(alias.group(2)):
                keys.append(name_key(alias.group(2)))
        for key in keys:
            # No outlet's name is longer; a longer "name" (a hostile line of thousands of
            # names joined by "&") would lift the bound the credit reader looks runs up to,
            # and reading long credit lines grew quadratic again.
            if key and len(key) <= LONGEST_NAME_KEY:
                self._names.setdefault(key, display)
                self.longest_key = max(self.longest_key, len(key))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = name_key(name)
        return bool(key) and key in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(self._names.values()))

    def __len__(self) -> int:
        """How many spellings it knows: grows whenever an outlet is learned."""
        return len(self._names)

    def is_known(self, name: str) -> bool:
        """Learned or given, or on the short built-in list of well-known outlets."""
        return self.is_known_key(name_key(name))

    def is_known_key(self, key: str) -> bool:
        """is_known, of a name given by its name_key."""
        return bool(key) and (key in self._names or key in _WELL_KNOWN_KEYS)

    def is_outlet(self, name: str) -> bool:
        return self.is_known(name) or has_outlet_marker(name)

    def is_person(self, name: str) -> bool:
        return not self.is_known(name) and looks_like_person(name)


@dataclass(frozen=True)
class CreditRoles:
    """One source named by a credit line, before its date is attached."""

    author: str | None
    outlet: str | None
    place: str | None = None


@dataclass(frozen=True)
class _Segment:
    text: str
    listed: bool = False  # member of an "A, B and C" list: every member is an outlet
    region: str | None = None  # "Bayside Herald, MD": the state written after the name


def _split_outside_brackets(text: str, separators: re.Pattern[str]) -> list[str]:
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[()]|" + separators.pattern, text):
        mark = match.group()
        if mark == "(":
            depth += 1
        elif mark == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(text[start : match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


# A region code standing first in a part, before the "and" or "&" of a list: "MD and Valley
# Courier" (the rest keeps its "and", which marks it a member of the list).
_CODE_BEFORE_AND = re.compile(r"^(?P<code>\S+)\s+(?P<rest>(?:and|&)\s+\S.*)$", re.IGNORECASE)
_SEGMENT_SEPARATORS = re.compile(r",|\s+[|–—]\s+|\s+-\s+")
_LIST_SEPARATORS = re.compile(r"\s+(?:and|&)\s+")
_LEADING_JUNK = re.compile(r"^(?:by|via|source:|sources:|[—–\-]+)\s+", re.IGNORECASE)


def split_credit_names(names: str, *, brackets: bool = True) -> list[str]:
    """The comma (or dash, or bar) separated parts of a credit's names, cleaned; with
    `brackets`, a person and an outlet written one in brackets after the other are two parts,
    the person first ("Jane Roe (The Herald)", "The Herald (Jane Roe)")."""
    text = _LEADING_JUNK.sub("", names.strip())
    parts = _split_outside_brackets(text, _SEGMENT_SEPARATORS)
    cleaned = [p.strip(" \t,;:-–—(") for p in parts if p.strip(" \t,;:-–—(")]
    cleaned = _with_degrees_joined(cleaned)
    if not brackets:
        return cleaned
    return [name for part in cleaned for name in _person_and_outlet(part)]


def _with_degrees_joined(parts: list[str]) -> list[str]:
    """ "Osric Tallow", "PhD" → "Osric Tallow, PhD": a degree after a person's name is theirs.
    After an outlet the same letters are something else ("Bayside Herald, MD": Maryland)."""
    joined: list[str] = []
    for part in parts:
        if joined and is_degree(part) and looks_like_person(joined[-1]):
            joined[-1] = f"{joined[-1]}, {part}"
        else:
            joined.append(part)
    return joined


def _stripped_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_BRACKETED = re.compile(r"^(?P<outside>[^()]+?)\s*\((?P<inside>[^()]+)\)$")


def _person_and_outlet(part: str) -> list[str]:
    """ "Jane Roe (The Herald)" → ["Jane Roe", "The Herald"]; an outlet's alias in brackets
    ("Der Kurier (Kurier Online)") and a place ("The Herald (UK)") stay as they are."""
    found = _BRACKETED.match(part)
    if found is None:
        return [part]
    outside, inside = found.group("outside").strip(), found.group("inside").strip()
    if _reads_as_author(outside) and reads_as_outlet(inside):
        return [outside, inside]
    if _reads_as_author(inside) and reads_as_outlet(outside):
        return [inside, outside]
    return [part]


# Words of an outlet's edition or section, written in brackets after its name ("Lowland
# Review (Weekend Edition)"), which read like a person's two capitalised names.
EDITION_WORDS = word_set(
    """edition weekend sunday saturday online digital print international national
    english arabic persian french german section supplement opinion"""
)


# What an edition's name ends with: "Sunday Edition", "UK Edition", "Weekend Supplement".
_EDITION_ENDS = word_set("edition supplement")


def is_edition(name: str) -> bool:
    """An outlet's edition or section standing as a name of its own ("Sunday Edition")."""
    words = name.casefold().split()
    return (
        len(words) >= 2
        and words[-1] in _EDITION_ENDS
        and all(word in EDITION_WORDS or is_place(word) for word in words[:-1])
    )


def _reads_as_author(name: str) -> bool:
    words = {word.casefold() for word in name.split()}
    return looks_like_person(name) and not words & EDITION_WORDS


class CreditReader:
    """Decides the roles of the names in credit lines with one gazetteer."""

    def __init__(self, gazetteer: OutletGazetteer) -> None:
        self.gazetteer = gazetteer

    def _segments(self, names: str) -> list[_Segment]:
        """The names of a credit; in a list ("A, B and C", "A, B, and C", "A & B") every
        name is a listed outlet, except a person's name standing first (the author). A
        state or country code after a name ("Bayside Herald, MD") is that name's region."""
        parts = self._with_regions_joined(self._with_editions_joined(split_credit_names(names)))
        groups: list[list[tuple[str, str | None]]] = []
        is_list = False
        after_an_outlet = False  # whether a part before this one is an outlet
        for position, (part, region) in enumerate(parts):
            serial = re.match(r"(?:and|&)\s+", part, re.IGNORECASE)
            if serial and groups:
                part, is_list = part[serial.end() :], True
            members = self._list_members(part, after_an_outlet)
            after_an_outlet = after_an_outlet or self.gazetteer.is_outlet(parts[position][0])
            is_list = is_list or len(members) > 1
            # The region belongs to the last of the names it follows ("A and B, MD").
            last = len(members) - 1
            groups.append([(m, region if i == last else None) for i, m in enumerate(members)])
        if not is_list:
            return [_Segment(group[0][0], region=group[0][1]) for group in groups]
        segments = []
        for position, group in enumerate(groups):
            author_first = (
                position == 0 and len(group) == 1 and self.gazetteer.is_person(group[0][0])
            )
            segments.extend(
                _Segment(member, listed=not author_first, region=region) for member, region in group
            )
        return segments

    def _with_regions_joined(self, parts: list[str]) -> list[tuple[str, str | None]]:
        """ "Bayside Herald", "MD" → ("Bayside Herald", "MD"): a state, province or country
        code after a name says where that name is, and names nothing of its own (it became a
        second outlet, or an author). A code the gazetteer knows as an outlet stays one."""
        joined: list[tuple[str, str | None]] = []
        for part in parts:
            code = region_code(part)
            if joined and joined[-1][1] is None and code and not self.gazetteer.is_known(part):
                joined[-1] = (joined[-1][0], code)
                continue
            # "Bayside Herald, MD and Valley Courier, KY": the comma splits the list after
            # the code, so the code opens the next part, before the "and" of the list.
            listed = _CODE_BEFORE_AND.match(part)
            code = region_code(listed.group("code")) if listed else None
            if joined and joined[-1][1] is None and code and listed:
                before, rest = joined[-1][0], listed.group("rest")
                if is_degree(listed.group("code")) and looks_like_person(before):
                    joined[-1] = (f"{before}, {part}", None)  # "Osric Tallow, MD and Jane Roe"
                    continue
                if not self.gazetteer.is_known(listed.group("code")):
                    joined[-1] = (before, code)
                    joined.append((rest, None))
                    continue
            joined.append((part, None))
        return joined

    def _with_editions_joined(self, parts: list[str]) -> list[str]:
        """ "Coastal Ledger", "Sunday Edition" → "Coastal Ledger (Sunday Edition)": the
        edition of the outlet before it, written as an edition in brackets is, where its two
        capitalised words made it a second author. After a person's name it is the outlet."""
        joined: list[str] = []
        for part in parts:
            before = joined[-1] if joined else ""
            # Not after a job title ("chief writer"), dropped with it, nor after a date.
            if (
                before[:1].isupper()
                and is_edition(part)
                and not self.gazetteer.is_person(before)
                and not is_undated_date(before)
            ):
                joined[-1] = f"{before} ({part})"
            else:
                joined.append(part)
        return joined

    def _list_members(self, part: str, after_an_outlet: bool) -> list[str]:
        """The names that "and" or "&" join in one part of a credit, or the part whole, by
        the rule in the module docstring ("A and B"): known names and pairs of people stay
        whole, a bare piece or a lone newspaper word joins the outlet's piece after it, and
        what is left is cut where every piece reads as a name of its own ("Tehran Times and
        Sun Daily"), or, after an outlet ("Sun Daily, Harbour Lights and Gullwing"), where
        no piece is a lone newspaper word."""
        gaz = self.gazetteer
        pieces = self._known_runs(part)
        if len(pieces) == 1 or all(gaz.is_person(part[a:b]) for a, b in pieces):
            return [part]
        spans = [(a, b, self._piece_kind(part[a:b])) for a, b in pieces]
        merged = [spans[-1]]
        for a, b, kind in reversed(spans[:-1]):
            _, next_end, next_kind = merged[-1]
            if kind in ("bare", "generic") and next_kind in ("outlet", "generic"):
                merged[-1] = (a, next_end, "outlet")
            else:
                merged.append((a, b, kind))
        merged.reverse()
        members = [part[a:b] for a, b, _ in merged]
        kinds = [kind for _, _, kind in merged]
        if len(members) == 1:
            return [part]
        if "&" in part:
            return members if all(kind == "outlet" for kind in kinds) else [part]
        if all(kind in ("outlet", "person") for kind in kinds):
            return members
        return members if after_an_outlet and "generic" not in kinds else [part]

    def _known_runs(self, part: str) -> list[tuple[int, int]]:
        """Where the pieces of the part are, cut at every "and" and "&" outside brackets,
        the longest runs of pieces that make a name the gazetteer knows kept together."""
        cuts = []
        opened = closed = counted_to = 0
        for match in _LIST_SEPARATORS.finditer(part):
            opened += part.count("(", counted_to, match.start())
            closed += part.count(")", counted_to, match.start())
            counted_to = match.start()
            if opened == closed:
                cuts.append(match)
        starts = [0, *(m.end() for m in cuts)]
        ends = [*(m.start() for m in cuts), len(part)]
        # The key characters piece i adds to a run that reaches it, its "and" with it.
        added = ["", *(_key_characters(part[ends[i - 1] : ends[i]]) for i in range(1, len(ends)))]
        # The first piece from i on that adds any (len(added): none does).
        adding = [len(added)] * (len(added) + 1)
        for i in range(len(added) - 1, 0, -1):
            adding[i] = i if added[i] else adding[i + 1]
        runs: list[tuple[int, int]] = []
        first = 0
        while first < len(starts):
            piece = part[starts[first] : ends[first]]
            last = self._longest_known_run(piece, first, added, adding)
            runs.append(_stripped_span(part, starts[first], ends[last]))
            first = last + 1
        return runs if all(a < b for a, b in runs) else [(0, len(part))]

    def _longest_known_run(
        self, piece: str, first: int, added: list[str], adding: list[int]
    ) -> int:
        """The last piece of the longest run of two pieces or more from piece `first` (whose
        text is `piece`) that makes a name the gazetteer knows; `first` if none does.

        The run's key is built a piece at a time and given up once longer than any name
        known, so that a piece is looked up with the few after it, not with every later one
        (and the part's end): that made a part of many "and"s take minutes. Runs that end
        at the pieces adding nothing to the key share one key, looked up once."""
        key = _key_characters(piece)
        begun = unicodedata.normalize("NFKC", piece).casefold().strip()
        if re.match(r"the\s", f"{begun} "):  # name_key's leading "The", more following it
            key = key[3:]
        found = first
        grown = first  # the last piece that added to the key
        while grown + 1 < len(added):
            following = adding[grown + 1]  # the next piece to add to it
            if following - 1 > first and self.gazetteer.is_known_key(key):
                found = following - 1  # the runs up to it end with the same key
            if following == len(added):
                break
            key += added[following]
            if len(key) > self.gazetteer.longest_key:
                break
            grown = following
        else:
            if grown > first and self.gazetteer.is_known_key(key):
                found = grown
        return found

    def _piece_kind(self, piece: str) -> str:
        """ "outlet", "person", "generic" (one newspaper word: "Post", "Courier") or
        "bare" (anything else: "Arts", "Gullwing")."""
        gaz = self.gazetteer
        if gaz.is_known(piece):
            return "outlet"
        if " " not in piece and piece.casefold() in OUTLET_MARKERS and not piece.isupper():
            return "generic"
        if gaz.is_outlet(piece):
            return "outlet"
        return "person" if gaz.is_person(piece) else "bare"

    def roles(self, names: str) -> list[CreditRoles]:
        """Every source the names stand for; empty when they name no author and no outlet."""
        return self._decide(names)[0]

    def outlets_to_learn(self, names: str) -> list[str]:
        """Outlets this credit names in a position that leaves no doubt."""
        return self._decide(names)[1]

    def outlets_by_position(self, names: str) -> list[str]:
        """The outlet of two names that both read as people ("Jane Roe, Morning Star"),
        decided by the usual "Author, Outlet" order: learned once what leaves no doubt has
        been, so that the same name alone elsewhere on the page reads as that outlet too."""
        return self._decide(names)[2]

    def _decide(self, names: str) -> tuple[list[CreditRoles], list[str], list[str]]:
        if ";" in names:
            # "Jane Roe, The Ledger; Osric Tallow, Northport Echo": one credit a group, all of
            # the line's date; each group read as a credit line of its own.
            found: tuple[list[CreditRoles], list[str], list[str]] = ([], [], [])
            for group in names.split(";"):
                if group.strip():
                    for collected, more in zip(found, self._decide_group(group), strict=True):
                        collected.extend(more)
            return found
        return self._decide_group(names)

    def _decide_group(self, names: str) -> tuple[list[CreditRoles], list[str], list[str]]:
        gaz = self.gazetteer
        # Lower-case parts are job titles ("Jane Roe, chief correspondent, The Herald"), and
        # a date that names no day ("July 2020", "19/02/19") is no name at all.
        segments = [
            s
            for s in self._segments(names)
            if not s.text[:1].islower() and not is_undated_date(s.text)
        ]
        regions = {s.text: s.region for s in segments if s.region}

        def outlet_named(text: str) -> str:
            """ "Bayside Herald (MD)": the state is part of the outlet's name."""
            return f"{text} ({regions[text]})" if text in regions else text

        def place_named(text: str) -> str:
            return f"{text}, {regions[text]}" if text in regions else text

        place = None
        if len(segments) > 1:
            for seg in reversed(segments):
                if is_place(seg.text) and not gaz.is_known(seg.text):
                    place = place_named(seg.text)
                    segments.remove(seg)
                    break
        if not segments:
            return [], [], []
        if any(s.listed for s in segments):
            outlets = [outlet_named(s.text) for s in segments if s.listed]
            persons = [s.text for s in segments if not s.listed]
            author = " and ".join(persons) or None
            return [CreditRoles(author, o, place) for o in outlets], outlets, []
        if len(segments) == 1:
            text = segments[0].text
            if self._kind(text) == "person":
                return [CreditRoles(text, None, place or regions.get(text))], [], []
            if is_place(text):
                return [], [], []
            return [CreditRoles(None, outlet_named(text), place)], [outlet_named(text)], []
        kinds = {s.text: self._kind(s.text) for s in segments}
        # A name between two outlets is one too: an author stands first ("Jane Roe, The
        # Ledger, Northport Echo, Saltmarsh Herald" names three outlets, not two authors).
        order = [s.text for s in segments]
        named = [i for i, text in enumerate(order) if kinds[text] == "outlet"]
        if len(named) > 1:
            for text in order[named[0] + 1 : named[-1]]:
                if kinds[text] == "person":
                    kinds[text] = "outlet"
        # "Smith and Jones, Coastal Ledger": two surnames before the outlet are its authors.
        if kinds[order[0]] == "unknown" and named and self._is_surname_pair(order[0]):
            kinds[order[0]] = "person"
        persons = [s.text for s in segments if kinds[s.text] == "person"]
        outlets = [s.text for s in segments if kinds[s.text] == "outlet"]
        unknown = [s.text for s in segments if kinds[s.text] == "unknown"]
        learn = list(outlets)
        first_outlet = min((order.index(o) for o in outlets), default=len(order))
        for text in unknown:
            after_outlet = order.index(text) > first_outlet and len(text.split()) == 1
            # "Jane Roe, The Coastal Herald, Portsmouth"; with no author, a last word after
            # the outlet is its place too ("Harbour Times, Northport": read as a second
            # outlet, and learned as one, it changed the next import's posts).
            last = order.index(text) == len(order) - 1
            if after_outlet and place is None and (persons or last):
                place = place_named(text)
            else:
                outlets.append(text)
                if persons:
                    learn.append(text)
        tie: list[str] = []
        if not outlets and len(persons) > 1:
            outlets = tie = [persons.pop()]  # a tie: fall back on the usual "Author, Outlet"
        outlets.sort(key=order.index)
        if place is None:
            place = next((regions[p] for p in persons if p in regions), None)
        author = " and ".join(persons) or None
        credits = [CreditRoles(author, outlet_named(o), place) for o in outlets]
        learned = [outlet_named(o) for o in learn], [outlet_named(o) for o in tie]
        return credits or [CreditRoles(author, None, place)], *learned

    def _is_surname_pair(self, text: str) -> bool:
        """ "Smith and Jones", "Roe & Elder": single capitalised name words joined."""
        members = [m.strip() for m in _split_outside_brackets(text, _LIST_SEPARATORS)]
        return len(members) > 1 and all(
            len(m.split()) == 1 and _is_name_word(m) and not self.gazetteer.is_outlet(m)
            for m in members
        )

    def _kind(self, text: str) -> str:
        if self.gazetteer.is_outlet(text):
            return "outlet"
        members = _split_outside_brackets(text, _LIST_SEPARATORS)
        if all(self.gazetteer.is_person(m.strip()) for m in members):
            return "person"  # also "Jane Roe and Tomas Elder"
        return "unknown"
