"""Who is an author and what is an outlet in a credit line such as "Jane Roe, The Herald".

Position alone cannot decide: legacy pages write "Newsweek, Jane Roe" as often as
"Jane Roe, Newsweek". The decision uses, in order of trust:
  1. the gazetteer: outlets known from the database or learned earlier from unambiguous
     credits ("A, B and C, date" lists, a lone non-person name before a date);
  2. a short built-in list of well-known outlets whose names carry no marker ("Newsweek");
  3. name heuristics: outlet marker words (Times, News, Daily, ...), acronyms (BBC),
     a leading "The", a parenthesised alias; person names are 2-4 capitalised name words;
  4. position ("Author, Outlet") only when all of the above leave a tie.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from clipdesk.archive.dates import is_undated_date


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
    statesman gleaner courant banner bugle enquirer
    television fm podcast institute foundation council centre center committee association
    organization organisation ministry forum campaign watch affairs policy international
    world bbc cnn npr pbs cbs nbc abc afp ap irna isna
    courrier presse quotidien rundschau kurier diario jornal noticias notícias gazzetta
    corriere krant dagblad
    روزنامه نامه خبرگزاری ماهنامه نشریه رادیو تلویزیون شبکه سایت پایگاه
    صحيفة جريدة وكالة قناة موقع مجلة"""
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


# Caches below: the same few names recur on every line of a page; all are pure functions.
@lru_cache(maxsize=16384)
def name_key(name: str) -> str:
    """Compare names ignoring case, punctuation, spacing and a leading "The"."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[\W_]+", "", text)


_WELL_KNOWN_KEYS = frozenset(name_key(n) for n in WELL_KNOWN_OUTLETS)


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
    if any(word.casefold().strip(".") in OUTLET_MARKERS for word in _words(text)):
        return True
    if _ACRONYM.fullmatch(text.replace(" ", "")) and sum(c.isalpha() for c in text) >= 2:
        return True  # TRT, BBC, AFP, RFE/RL
    return bool(re.match(r"the\s+[^\W\d_]", text, re.IGNORECASE))


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


# Titles and suffixes written with a full stop ("Dr. Jane Roe", "John Roe Jr."): a word with
# a dot in it is no name word, and a titled author was read as an outlet (and stored as one).
NAME_TITLES = word_set("dr prof mr mrs ms mx mme mlle rev hon sen rep gen col capt lt sgt jr sr")


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
            keys += [name_key(alias.group(1)), name_key(alias.group(2))]
        for key in keys:
            if key:
                self._names.setdefault(key, display)

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
        return name in self or name_key(name) in _WELL_KNOWN_KEYS

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
        name is a listed outlet, except a person's name standing first (the author)."""
        parts = self._with_editions_joined(split_credit_names(names))
        outlet_in_context = any(self.gazetteer.is_outlet(p) for p in parts)
        groups: list[list[str]] = []
        is_list = False
        for part in parts:
            serial = re.match(r"(?:and|&)\s+", part, re.IGNORECASE)
            if serial and groups:
                part, is_list = part[serial.end() :], True
            members = self._list_members(part, outlet_in_context)
            is_list = is_list or len(members) > 1
            groups.append(members)
        if not is_list:
            return [_Segment(group[0]) for group in groups]
        segments = []
        for position, group in enumerate(groups):
            author_first = position == 0 and len(group) == 1 and self.gazetteer.is_person(group[0])
            segments.extend(_Segment(member, listed=not author_first) for member in group)
        return segments

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

    def _list_members(self, part: str, outlet_in_context: bool) -> list[str]:
        """ "Tehran Times and Sun Daily" is two outlets; "Arts & Letters Daily" is one, and
        so is a pair of people ("Jane Roe and John Doe"), who write together."""
        if not _LIST_SEPARATORS.search(part) or self.gazetteer.is_known(part):
            return [part]
        members = [m.strip() for m in _split_outside_brackets(part, _LIST_SEPARATORS)]
        if not all(members) or all(self.gazetteer.is_person(m) for m in members):
            return [part]
        outlet = self.gazetteer.is_outlet
        if "&" in part:
            return members if all(outlet(m) for m in members) else [part]
        return members if outlet_in_context else [part]

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
        place = None
        if len(segments) > 1:
            for seg in reversed(segments):
                if is_place(seg.text) and not gaz.is_known(seg.text):
                    place = seg.text
                    segments.remove(seg)
                    break
        if not segments:
            return [], [], []
        if any(s.listed for s in segments):
            outlets = [s.text for s in segments if s.listed]
            persons = [s.text for s in segments if not s.listed]
            author = " and ".join(persons) or None
            return [CreditRoles(author, o, place) for o in outlets], outlets, []
        if len(segments) == 1:
            text = segments[0].text
            if self._kind(text) == "person":
                return [CreditRoles(text, None, place)], [], []
            if is_place(text):
                return [], [], []
            return [CreditRoles(None, text, place)], [text], []
        kinds = {s.text: self._kind(s.text) for s in segments}
        # A name between two outlets is one too: an author stands first ("Jane Roe, The
        # Ledger, Northport Echo, Saltmarsh Herald" names three outlets, not two authors).
        order = [s.text for s in segments]
        named = [i for i, text in enumerate(order) if kinds[text] == "outlet"]
        if len(named) > 1:
            for text in order[named[0] + 1 : named[-1]]:
                if kinds[text] == "person":
                    kinds[text] = "outlet"
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
                place = text
            else:
                outlets.append(text)
                if persons:
                    learn.append(text)
        tie: list[str] = []
        if not outlets and len(persons) > 1:
            outlets = tie = [persons.pop()]  # a tie: fall back on the usual "Author, Outlet"
        outlets.sort(key=order.index)
        author = " and ".join(persons) or None
        credits = [CreditRoles(author, o, place) for o in outlets]
        return credits or [CreditRoles(author, None, place)], learn, tie

    def _kind(self, text: str) -> str:
        if self.gazetteer.is_outlet(text):
            return "outlet"
        members = _split_outside_brackets(text, _LIST_SEPARATORS)
        if all(self.gazetteer.is_person(m.strip()) for m in members):
            return "person"  # also "Jane Roe and Tomas Elder"
        return "unknown"
