"""Question analysis as a pure function: who is asked about, how the question is put."""

from __future__ import annotations

import pytest

from retrieval.query import SpeakerIndex, analyze

SPEAKERS = [
    ("Vadim Orlov", "Castrian President"),
    ("Orlov", None),
    ("Mykola Kovalenkyy", "Velarian President"),
    ("Ilse Varga", "Labour Minister"),
    ("Ana Lisowen", "Prime Minister of Varnesia"),
    ("Pavel Tarnow", "Halbrook Rovers striker"),
    ("Jonas Ekvall", "Halbrook Rovers head coach"),
    ("Rui Monteval", "President of Sporting Merrow"),
    ("Adrian Kessly", "Chief Executive of Ostrian National Gas"),
    ("Anna Berg", "Mayor of Lindmark"),
    ("Tom Berg", "Harbour Master"),
    ("Lena Sauer", "U.K. Envoy to Castria"),
    ("Corvin Shipping Agency", None),
    ("Marta Olsen", "Vestria Gov."),
    ("Pia Lund", "Centrist member of the Ostrian Senate"),
    ("Bill Hartley", "Fisheries Inspector"),
    ("Mara Lenz", "Digital Affairs Minister"),
]
CORPUS_WORDS = {"strike", "harbour", "pipeline", "troops", "ferry"}
INDEX = SpeakerIndex(SPEAKERS, CORPUS_WORDS.__contains__)


def test_a_family_name_names_the_speaker() -> None:
    q = analyze("what did Orlov say about Western troops?", INDEX)
    assert q.speakers == ("Vadim Orlov",)
    assert q.speaker is not None and q.speaker.how == "name" and q.speaker.confidence == 1.0
    assert q.cues.saying and q.cues.wh == "what" and not q.cues.yes_no
    assert q.topic_terms == ("western", "troops")


def test_a_transliteration_is_the_same_name() -> None:
    for spelling in ("kovalenky", "kovalenkiy", "Kovalenkyy"):
        q = analyze(f"what did {spelling} say", INDEX)
        assert q.speakers == ("Mykola Kovalenkyy",)
        assert q.speaker.how == "name"
    # A long name with the same consonants and nearly its length: the registry's rule for
    # one name ("Mohamed", "Muhamad"), so a variant, not a misspelling.
    q = analyze("what did Montavel say", INDEX)
    assert q.speakers == ("Rui Monteval",) and q.speaker.how == "name"
    q = analyze("what did Montebal say", INDEX)  # another consonant: a misspelling
    assert q.speakers == ("Rui Monteval",) and q.speaker.how == "spelling"


def test_a_typo_is_matched_with_less_confidence() -> None:
    q = analyze("what did ekvlal say about the new striker", INDEX)
    assert q.speakers == ("Jonas Ekvall",)
    assert q.speaker.how == "spelling"
    assert 0.85 <= q.speaker.confidence < 1.0


def test_a_word_of_the_corpus_is_no_misspelt_name() -> None:
    # "strike" is one letter from nobody here, but a corpus word is never tried as a typo.
    index = SpeakerIndex([("Mara Strikes", None)], {"strike"}.__contains__)
    assert analyze("what about the strike", index).speakers == ()


def test_a_person_named_after_a_preposition_is_what_is_asked_about() -> None:
    q = analyze("what did orlov say about kovalenkiy", INDEX)
    assert q.speakers == ("Vadim Orlov",)
    assert [m.name for m in q.matches if m.as_object] == ["Mykola Kovalenkyy"]


def test_a_given_name_picks_one_of_two_people_sharing_a_family_name() -> None:
    assert analyze("what did anna berg say", INDEX).speakers == ("Anna Berg",)
    both = analyze("what did berg say", INDEX)
    assert set(both.speakers) == {"Anna Berg", "Tom Berg"}
    assert all(m.confidence == 0.5 for m in both.matches)


def test_a_speaker_described_by_role_before_the_topic() -> None:
    # "striker" is a role word too, but it is what the coach is asked about.
    q = analyze("halbrook coach on the new striker", INDEX)
    assert q.speakers == ("Jonas Ekvall",)
    assert q.speaker.how == "role"
    q = analyze("merrow president on selling tarnow", INDEX)
    assert q.speakers == ("Rui Monteval",)


def test_a_role_given_as_the_organisations_initials() -> None:
    assert analyze("ong chief on when the pipeline starts", INDEX).speakers == ("Adrian Kessly",)


def test_a_role_word_stands_for_the_roles_it_names() -> None:
    # "boss" may stand for a chief executive (corpus/data/role_hypernyms.txt).
    assert analyze("what did the ostrian gas boss say", INDEX).speakers == ("Adrian Kessly",)


def test_a_dotted_abbreviation_in_a_role_is_one_word() -> None:
    q = analyze("what did the uk envoy say about the ferry", INDEX)
    assert q.speakers == ("Lena Sauer",)
    assert q.topic_terms == ("ferry",)  # "uk" describes who speaks


def test_an_organisations_first_word_is_no_given_name() -> None:
    # A person's first word alone names them ("what did lena say"); an organisation's
    # first word is a modifier, here also an ordinary word of the question.
    assert analyze("what did lena say", INDEX).speakers == ("Lena Sauer",)
    assert analyze("who won the corvin cup", INDEX).speakers == ()


@pytest.mark.parametrize(
    ("question", "topic", "saying"),
    [
        # A reporting verb after a determiner is a noun: what is asked about.
        ("what did orlov say about the attack", ("attack",), True),
        ("who won the champions cup", ("won", "champions", "cup"), False),
        ("was the charge dropped", ("charge", "dropped"), False),
        # After "about" or "on", even a communication noun is the topic.
        ("what did varga say about the letter", ("letter",), True),
        # A communication noun asks what was said wherever else it stands.
        ("what was in the ferry statement", ("ferry",), True),
        ("how did kessly describe the outage", ("outage",), True),
    ],
)
def test_a_saying_word_is_the_topic_when_it_is_what_is_asked_about(
    question: str, topic: tuple[str, ...], saying: bool
) -> None:
    q = analyze(question, INDEX)
    assert (q.topic_terms, q.cues.saying) == (topic, saying)


def test_an_abbreviated_title_in_a_role_stands_for_its_word() -> None:
    assert analyze("what did the vestria governor say", INDEX).speakers == ("Marta Olsen",)


def test_a_role_word_matches_its_institution() -> None:
    # "senator" and "Senate" share their stem.
    assert analyze("what did the ostrian senator say", INDEX).speakers == ("Pia Lund",)


def test_words_no_role_fits_do_not_dilute_a_role() -> None:
    # No preposition marks where the topic starts: "vote" and "fair" fit no role at all.
    q = analyze("does the ostrian senator think the vote was fair", INDEX)
    assert q.speakers == ("Pia Lund",)
    assert "vote" in q.topic_terms


def test_a_role_is_surer_than_a_given_name_alone() -> None:
    q = analyze("digital affairs minister on the fishing bill", INDEX)
    assert q.speakers == ("Mara Lenz",)
    assert "bill" in q.topic_terms  # the word, not Bill Hartley
    assert analyze("what did bill say about the nets", INDEX).speakers == ("Bill Hartley",)


def test_one_shared_role_word_names_nobody() -> None:
    assert analyze("what did the minister say", INDEX).speakers == ()
    assert analyze("what did the labour minister say", INDEX).speakers == ("Ilse Varga",)


@pytest.mark.parametrize(
    ("question", "lemmas", "saying", "yes_no"),
    [
        ("did the audit turn up any fraud", ["turn"], False, True),
        ("Was the database really stolen?", ["steal"], False, True),
        ("what was her statement on the ferry", [], True, False),
        ("what has the union told reporters", ["tell"], True, False),
        # An irregular reporting verb is known by its lemma only ("told" → "tell").
        ("what has the union told reporters", [], False, False),
        ("how many ballots were spoiled", ["spoil"], False, False),
    ],
)
def test_how_the_question_is_put(
    question: str, lemmas: list[str], saying: bool, yes_no: bool
) -> None:
    q = analyze(question, INDEX, lemmas)
    assert (q.cues.saying, q.cues.yes_no) == (saying, yes_no)


def test_an_empty_question() -> None:
    q = analyze("   ", INDEX)
    assert q.text == "" and q.speakers == () and q.topic_terms == ()


@pytest.mark.parametrize(
    ("question", "source", "asked_about"),
    [
        # The source is a role: the name before it is what is asked about.
        ("is Tarnow fit to play, according to the head coach?", "Jonas Ekvall", "Pavel Tarnow"),
        # The source is named.
        ("how is the strike going according to Varga", "Ilse Varga", None),
        ("according to Varga, did Orlov sign the harbour deal", "Ilse Varga", "Vadim Orlov"),
    ],
)
def test_according_to_names_the_source(question, source, asked_about) -> None:
    q = analyze(question, INDEX)
    assert q.speaker is not None and q.speaker.name == source
    assert [m.name for m in q.matches if m.as_object] == ([asked_about] if asked_about else [])
    assert q.cues.saying and "according" not in q.topic_terms


def test_according_to_nobody_known_leaves_the_question_as_it_is() -> None:
    q = analyze("is the ferry running, according to the timetable", INDEX)
    assert q.speaker is None
    assert q.topic_terms == ("ferry", "running", "timetable")


def test_a_first_word_the_corpus_writes_after_a_title_is_a_family_name() -> None:
    speakers = [("Kang Min-jun", "Ostrian Premier"), ("Simon Lark", "Harbour Master")]
    titled = {"kang"}.__contains__  # "Mr Kang said": the corpus calls him by it alone
    index = SpeakerIndex(speakers, titled=titled)
    q = analyze("what did kang say about the strike", index)
    assert q.speaker is not None and q.speaker.name == "Kang Min-jun"
    assert q.speaker.how == "name" and q.speaker.confidence == 1.0
    q = analyze("what did simon say about the strike", index)  # a given name: unsure
    assert q.speaker is not None and q.speaker.how == "given name"
    assert q.speaker.confidence < 1.0


def test_a_hyphenated_family_name_is_found_as_typed() -> None:
    index = SpeakerIndex([("Ines Harlow-Quist", "Speaker of the Assembly")])
    q = analyze("has harlow-quist commented on the vote", index)
    assert q.speaker is not None and q.speaker.name == "Ines Harlow-Quist"
    assert q.topic_terms == ("vote",)


@pytest.mark.parametrize(
    ("question", "unnamed"),
    [
        ("what did Brannock say about the strike", ("brannock",)),
        ("has the ferry boss commented", ("ferry", "boss")),
        ("what did Varga say about the strike", ()),  # a known speaker
        ("what happened at the harbour", ()),  # asks for no one's words
    ],
)
def test_whose_words_are_asked_for_when_they_name_no_known_speaker(question, unnamed) -> None:
    assert analyze(question, INDEX).unnamed == unnamed


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("when does the Lindmark tram open", "date"),
        ("who is the new Halbrook coach", "name"),
        ("how many ferries were cancelled", "quantity"),
        ("how long will the strike last", "quantity"),
        ("how did Varga react to the strike", ""),  # manner, not a quantity
        ("how the pier was rebuilt", ""),
        ("what did Varga say about the strike", ""),
    ],
)
def test_the_kind_of_answer_a_wh_question_asks_for(question, wants) -> None:
    assert analyze(question, INDEX).cues.wants == wants
