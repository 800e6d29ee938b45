import pytest

from clipdesk.digest.quotes import ExcerptNotFound, check_excerpt
from clipdesk.stories.excerpts import sentences, suggest_excerpt

TEXT = (
    "The council met on Monday. “We will not decide before the survey,” said the chair, "
    "Ana Ferreira. The MEK delegation asked to speak — and was refused.\n"
    "Weather was mild."
)


def test_quote_check_ignores_quote_styles_and_whitespace():
    check_excerpt('"We will not decide before the survey,"   said the chair', [TEXT])


def test_quote_check_accepts_parts_joined_by_an_ellipsis_in_order():
    check_excerpt("The council met on Monday. … The MEK delegation asked to speak", [TEXT])


def test_quote_check_refuses_parts_out_of_order():
    with pytest.raises(ExcerptNotFound):
        check_excerpt("The MEK delegation asked to speak … The council met on Monday.", [TEXT])


def test_quote_check_refuses_a_changed_word_and_names_it():
    with pytest.raises(ExcerptNotFound, match="We will decide before the survey"):
        check_excerpt("“We will decide before the survey,”", [TEXT])


def test_quote_check_says_when_each_part_is_quoted_but_from_different_articles():
    other = "A second outlet wrote that the vote was postponed to June."
    with pytest.raises(ExcerptNotFound, match="its parts are each in one of them") as refused:
        check_excerpt("The council met on Monday. … the vote was postponed to June.", [TEXT, other])
    assert "is not in their text" not in str(refused.value)


def test_quote_check_names_the_part_as_it_was_typed():
    with pytest.raises(ExcerptNotFound) as refused:
        check_excerpt("The council met on Monday. … The MEK delegation — was heard", [TEXT])
    assert "“The MEK delegation — was heard”" in str(refused.value)


def test_quote_check_refuses_an_empty_excerpt():
    with pytest.raises(ExcerptNotFound, match="empty"):
        check_excerpt(" … ", [TEXT])


def test_quote_may_come_from_any_credited_article():
    check_excerpt("Weather was mild.", ["Something else entirely.", TEXT])


def test_suggested_excerpt_carries_the_entity_not_merely_the_first_sentence():
    start = TEXT.index("MEK")
    excerpt = suggest_excerpt(TEXT, headline="MEK refused", entity_spans=[(start, start + 3)])
    assert "MEK delegation" in excerpt
    check_excerpt(excerpt, [TEXT])  # the suggestion is always a verbatim quote


def test_suggested_excerpt_falls_back_to_the_lead_without_signals():
    assert suggest_excerpt(TEXT).startswith("The council met on Monday.")


PERSIAN = "برگزارکنندگان می\u200cگویند شمار شرکت\u200cکنندگان دو برابر شده است."


def test_quote_check_ignores_the_invisible_joiners_and_soft_hyphens():
    copied_from_the_page = "می\u200cگویند شمار شرکت\u200cکنندگان"
    check_excerpt(copied_from_the_page, [PERSIAN.replace("\u200c", "")])  # stored without
    check_excerpt("میگویند شمار شرکتکنندگان", [PERSIAN])
    check_excerpt("Ana Fer\u00adreira", [TEXT])


def test_quote_check_still_refuses_a_persian_word_changed():
    with pytest.raises(ExcerptNotFound):
        check_excerpt("می\u200cگویند شمار شرکت\u200cکنندگان سه برابر", [PERSIAN])


@pytest.mark.parametrize("typed", ["می گویند شمار شرکت کنندگان", "میگویند شمار شرکتکنندگان"])
def test_quote_check_takes_a_persian_quote_retyped_with_spaces_or_without(typed):
    check_excerpt(typed, [PERSIAN])


def test_quote_check_keeps_the_space_between_latin_words_beside_persian():
    with pytest.raises(ExcerptNotFound):
        check_excerpt("The organisers say", ["Theorganisers say"])


HEADLINE = "Ferry strike closes the harbour for a second day"
STORY = (
    "Crews of the island ferries stayed ashore for a second day on Tuesday, and the harbour "
    "master said no boat would sail before the talks with the operator resume on Thursday. "
    "Travellers were sent to the airport instead."
)


@pytest.mark.parametrize(
    "text",
    [f"{HEADLINE}\n{STORY}", f"{HEADLINE.upper()}.\n{STORY}", f"{HEADLINE} {STORY}"],
)
def test_suggested_excerpt_never_repeats_the_headline(text):
    excerpt = suggest_excerpt(text, headline=HEADLINE)
    assert excerpt.startswith("Crews of the island ferries")
    assert "closes the harbour" not in excerpt
    check_excerpt(excerpt, [text])


def test_a_sentence_opening_with_a_short_headline_is_kept():
    text = "Strike ends. Strike ends at noon, the union said, after the operator raised wages."
    assert suggest_excerpt(text, headline="Strike ends").startswith("Strike ends")


@pytest.mark.parametrize(
    "text, expected",
    [
        # Capitals beyond Latin-1 (Turkish, Polish), Cyrillic and Greek capitals, and scripts
        # without case: each sentence ran into the one before it.
        (
            "İran açıklama yaptı. Şimdi herkes bekliyor. Łódź czeka.",
            ["İran açıklama yaptı.", "Şimdi herkes bekliyor.", "Łódź czeka."],
        ),
        ("Москва заявила. Власти ответили. Ώρα.", ["Москва заявила.", "Власти ответили.", "Ώρα."]),
        ("הממשלה הודיעה. השרים הסכימו.", ["הממשלה הודיעה.", "השרים הסכימו."]),
        # Chinese and Japanese put no space after a full stop.
        ("北京今天宣布。政府表示支持。", ["北京今天宣布。", "政府表示支持。"]),
        # Still one sentence: a lower-case word after a full stop, a number's decimal point.
        (
            "He cited the U.S. rules. e.g. the 3.5 limit.",
            ["He cited the U.S. rules. e.g. the 3.5 limit."],
        ),
        # A title or an abbreviation before a name ends no sentence.
        (
            "Mr. Vance and Dr. Orla Pike met at St. Ives. Gen. Tallow left.",
            ["Mr. Vance and Dr. Orla Pike met at St. Ives.", "Gen. Tallow left."],
        ),
        # The titles an archive's credit line knows are titles here too: French ones and
        # those of English text alike.
        (
            "Mme. Roux and Mlle. Pike spoke. Gov. Tallow and Messrs. Quill left.",
            ["Mme. Roux and Mlle. Pike spoke.", "Gov. Tallow and Messrs. Quill left."],
        ),
        # A word ending like a title still ends its sentence.
        (
            "They called the doctor. Dr was not there.",
            ["They called the doctor.", "Dr was not there."],
        ),
        (
            "They staged the programme. Mme Roux sang. Mlle Pike sang too.",
            ["They staged the programme.", "Mme Roux sang.", "Mlle Pike sang too."],
        ),
    ],
)
def test_sentences_end_in_every_alphabet(text, expected):
    assert [text[start:end] for start, end in sentences(text)] == expected


def test_a_russian_article_is_quoted_by_its_sentence_not_its_whole_paragraph():
    text = " ".join(
        [f"Предложение номер {n} рассказывает о погоде и дорогах города." for n in range(12)]
        + ["Власти разрешили ОМИН провести собрание на набережной."]
    )
    start = text.index("ОМИН")
    excerpt = suggest_excerpt(text, headline="ОМИН собрание", entity_spans=[(start, start + 4)])
    assert excerpt.endswith("Власти разрешили ОМИН провести собрание на набережной.")
    assert not excerpt.startswith("Предложение номер 0")


@pytest.mark.parametrize(
    "fragment",
    ["isbon - The harbour", "L", "The harbou", "authority of Port Cal", "ort Calder … the quay"],
)
def test_quote_check_refuses_a_quote_that_begins_or_ends_inside_a_word(fragment):
    text = "Lisbon - The harbour authority of Port Calder said the quay would open."
    with pytest.raises(ExcerptNotFound, match="must begin and end with whole words"):
        check_excerpt(fragment, [text])


def test_quote_check_takes_whole_words_where_a_fragment_of_them_came_first():
    # "Cal" is first found inside "Calder": the quote is the later whole word.
    check_excerpt("Cal said", ["Port Calder. Cal said the quay would open."])
    check_excerpt("Lisbon", ["Lisbon - The harbour"])
    check_excerpt("The harbour authority", ["Lisbon - The harbour authority."])
    check_excerpt("“The quay,” he said", ["“The quay,” he said."])


@pytest.mark.parametrize(
    "quote, text",
    [
        # Chinese, Japanese and Thai are written without spaces between words.
        ("政府表示", "北京今天宣布。政府表示支持。"),
        ("東京で", "昨日東京で会議が開かれた。"),
        ("รัฐบาล", "วันนี้รัฐบาลประกาศ"),
    ],
)
def test_quote_check_takes_part_of_a_line_in_scripts_written_without_spaces(quote, text):
    check_excerpt(quote, [text])


# Each row: the quote, the article's text, and whether the quote is one. English, French and
# Italian apostrophes: inside a word they join, after an elided article a new word begins.
SHIPYARD = "Workers at the shipyard don't expect the owners' offer to change, and it isn’t over."
LEADERS = "The union's leaders met the board's chairman."
ROME = "Le ministre est rentré d’Iran aujourd’hui, a dit l'ambassade qu'il dirige."


@pytest.mark.parametrize(
    "quote, text, is_a_quote",
    [
        ("don't expect", SHIPYARD, True),
        ("don’t expect the owners’ offer", SHIPYARD, True),
        ("the owners", SHIPYARD, True),  # a plural possessive's apostrophe ends the word
        ("it isn't over", SHIPYARD, True),
        ("Workers at the shipyard don", SHIPYARD, False),
        ("don", SHIPYARD, False),
        ("t expect", SHIPYARD, False),
        ("don'", SHIPYARD, False),
        ("it isn", SHIPYARD, False),
        ("’t over", SHIPYARD, False),
        ("The union's leaders", LEADERS, True),
        ("the board's", LEADERS, True),
        ("The union", LEADERS, False),  # the possessive 's is part of the word
        ("met the board", LEADERS, False),
        ("s leaders", LEADERS, False),
        ("'s chairman", LEADERS, False),
        ("no", "The minister said ‘no’ twice.", True),  # between quotation marks
        ("said 'no'", "The minister said ‘no’ twice.", True),
        ("Senator O'Brien", "Senator O'Brien abstained.", True),
        ("Brien abstained", "Senator O'Brien abstained.", False),  # O' is no elided article
        ("roll on the quay", "A night of rock'n'roll on the quay.", False),
        ("rock'n'roll", "A night of rock'n'roll on the quay.", True),
    ],
)
def test_an_apostrophe_between_letters_is_inside_the_word(quote, text, is_a_quote):
    if is_a_quote:
        check_excerpt(quote, [text])
    else:
        with pytest.raises(ExcerptNotFound, match="must begin and end with whole words"):
            check_excerpt(quote, [text])


@pytest.mark.parametrize(
    "quote, text, is_a_quote",
    [
        ("Iran aujourd'hui", ROME, True),  # after "d'" the name is a word of its own
        ("rentré d'Iran", ROME, True),
        ("ambassade", ROME, True),
        ("il dirige", ROME, True),
        ("anno scorso", "Il bilancio dell’anno scorso è in rosso.", True),
        ("rentré d", ROME, False),  # the elided article cut from its apostrophe
        ("'Iran", ROME, False),
        ("aujourd", ROME, False),  # one word, though written with an apostrophe
        ("hui, a dit", ROME, False),
        ("a dit l", ROME, False),
    ],
)
def test_a_french_or_italian_word_begins_after_an_elided_article(quote, text, is_a_quote):
    if is_a_quote:
        check_excerpt(quote, [text])
    else:
        with pytest.raises(ExcerptNotFound, match="must begin and end with whole words"):
            check_excerpt(quote, [text])


# "The ministry said the talks will go on until the end of the week."
ARABIC = "قالت الوزارة إن المحادثات ستستمر حتى نهاية الأسبوع."
# "The reporters say the meeting is held on Tuesday evening."
FARSI = "خبرنگاران می\u200cگویند جلسه سه\u200cشنبه شب برگزار می\u200cشود."


@pytest.mark.parametrize(
    "quote, text, is_a_quote",
    [
        ("قالت الوزارة", ARABIC, True),
        ("الوزارة إن المحادثات", ARABIC, True),
        ("نهاية الأسبوع", ARABIC, True),
        ("قالتالوزارة", ARABIC, True),  # retyped without its space
        ("المحادثـــات ستستمر", ARABIC, True),  # stretched with tatweel
        ("قَالَت الوِزَارَة", ARABIC, True),  # with its short vowels written
        ("الوزارة", ARABIC.replace("الوزارة", "الوِزارَة"), True),
        ("الت الوزارة", ARABIC, False),  # begins inside قالت
        ("الوزارة إن المحادث", ARABIC, False),  # ends inside المحادثات
        ("وزارة", ARABIC, False),  # the article ال is written onto its noun
        ("حتى نهاية الأسب", ARABIC, False),
        ("می\u200cگویند جلسه سه\u200cشنبه", FARSI, True),
        ("میگویند جلسه سهشنبه", FARSI, True),  # copied without the non-joiners
        ("می گویند جلسه سه شنبه", FARSI, True),  # retyped with spaces for them
        ("جلسه سه\u200cشنبه شب", FARSI.replace("\u200c", ""), True),  # stored without them
        ("گویند جلسه", FARSI, False),  # the non-joiner is inside می‌گویند
        ("جلسه سه", FARSI, False),
        ("شنبه شب برگزار", FARSI, False),
        ("جلسه سه", FARSI.replace("\u200c", ""), False),
        ("خبرنگاران می", FARSI, False),
    ],
)
def test_a_quote_in_arabic_script_begins_and_ends_where_the_article_has_a_space(
    quote, text, is_a_quote
):
    if is_a_quote:
        check_excerpt(quote, [text])
    else:
        with pytest.raises(ExcerptNotFound, match="must begin and end with whole words"):
            check_excerpt(quote, [text])
