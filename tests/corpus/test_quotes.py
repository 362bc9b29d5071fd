"""Who said a quote: news attribution forms, names, and briefing attribution lines."""

from __future__ import annotations

import pytest

from corpus.briefing import parse_attribution
from corpus.models import Speaker
from corpus.quotes import attributed_speaker, full_name, quotes_in, reported_speaker, same_person

EARLIER = Speaker(name="Ada Moss", role="transport councillor")


def said(sentence: str, last: Speaker | None = None) -> Speaker | None:
    return attributed_speaker(sentence, 0, len(sentence), last)


# -- attributed_speaker: the forms news writing uses -----------------------------------------


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ('"The depot will reopen on Friday," Rolf Andersen said.', "Rolf Andersen"),
        ("“The depot will reopen on Friday,” Andersen said.", "Andersen"),
        ('"The depot will reopen on Friday," said Rolf Andersen.', "Rolf Andersen"),
        ('Rolf Andersen said: "The depot will reopen on Friday."', "Rolf Andersen"),
        ("Rolf Andersen told reporters: “The depot will reopen on Friday.”", "Rolf Andersen"),
        ('"The depot will reopen on Friday," according to Rolf Andersen.', "Rolf Andersen"),
        ("Rolf Andersen described it as “the worst fire the city has seen”.", "Rolf Andersen"),
        ('"The depot will reopen on Friday," Andersen wrote on social media.', "Andersen"),
        ("«The depot will reopen on Friday», said Rolf Andersen.", "Rolf Andersen"),
        ('"The depot will reopen on Friday," Rolf Andersen has said.', "Rolf Andersen"),
        ('"The depot will reopen on Friday," Andersen also said.', "Andersen"),
        ("“The depot will reopen on Friday,” Rolf Andersen later told reporters.", "Rolf Andersen"),
        ('"We will appeal against the ruling," said Jean-Luc Moreau.', "Jean-Luc Moreau"),
        ('"We will appeal against the ruling," said Inés Gómez.', "Inés Gómez"),
    ],
)
def test_named_speaker_forms(sentence, name):
    speaker = said(sentence)
    assert speaker is not None
    assert speaker.name == name


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ('"We will not back down on this," said Thomas Jones.', "Thomas Jones"),
        ('"We will not back down on this," Jones said.', "Jones"),
        ('"We will not back down on this," Mr. Harris said.', "Harris"),
        ('"We will not back down on this," Ms Harris told the BBC.', "Harris"),
        ('Mayor Lena Ross said: "The bridge is closed until further notice."', "Lena Ross"),
        ('"We will not back down on this," said Chris Evans, the spokesman.', "Chris Evans"),
    ],
)
def test_names_ending_in_s_keep_their_s(sentence, name):
    assert said(sentence).name == name


def test_said_name_then_role_appositive():
    speaker = said('"Talks will resume on Monday," said Dmitry Peskov, the Kremlin spokesman.')
    assert speaker == Speaker(name="Dmitry Peskov", role="the Kremlin spokesman")


@pytest.mark.parametrize(
    ("sentence", "name", "role"),
    [
        ('"Talks resume Monday," Kremlin spokesman Dmitry Peskov told reporters.',
         "Dmitry Peskov", "Kremlin spokesman"),
        ('"Our members have shown their worth," said union leader Marit Dahl.',
         "Marit Dahl", "union leader"),
        ('"Our members have shown their worth," union leader Marit Dahl said.',
         "Marit Dahl", "union leader"),
        ('"This is the moment to act," Russian President Vladimir Putin said.',
         "Vladimir Putin", "Russian President"),
        ("“This is the moment to act,” said Brazil’s President Luiz Inácio Lula da Silva.",
         "Luiz Inácio Lula da Silva", "Brazil’s President"),
        ('Utah Gov. Spencer Cox said "this is a dark day for our state" on Wednesday.',
         "Spencer Cox", "Utah Gov."),
        ('"This is a dark day for our state," said Utah Gov. Spencer Cox.',
         "Spencer Cox", "Utah Gov."),
        ('"The results speak for themselves," said Apple CEO Tim Cook.',
         "Tim Cook", "Apple CEO"),
    ],
)  # fmt: skip
def test_role_before_name_is_kept_as_role(sentence, name, role):
    assert said(sentence) == Speaker(name=name, role=role)


def test_first_of_two_named_writers():
    sentence = (
        "Board chair Robyn Denholm and director Kathleen Wilson-Thompson wrote: "
        '"Retaining our chief executive is fundamental to the plan."'
    )
    speaker = said(sentence)
    assert speaker.name == "Robyn Denholm"
    assert speaker.role == "chair"


def test_lowercase_chair_and_director_wrote():
    sentence = (
        'chair Robyn Denholm and director Ira Ehrenpreis wrote in a letter that "retaining '
        'him is fundamental to achieving these goals".'
    )
    assert said(sentence).name == "Robyn Denholm"


def test_statement_from_an_organisation():
    sentence = (
        '"We promise to safeguard what he has built," said a statement from the Harlow Group.'
    )
    assert said(sentence).name == "Harlow Group"


@pytest.mark.parametrize(
    "sentence",
    [
        '"We have a lot of work ahead of us," he said.',
        "“We have a lot of work ahead of us,” she added.",
        '"We have a lot of work ahead of us," he later said.',
        '"We have a lot of work ahead of us," they said in a statement.',
        'She said: "We have a lot of work ahead of us."',
        '"We will rebuild every single home," reads the post.',
        "“We will rebuild every single home,” read the statement.",
        "“We will rebuild every single home and every school.”",
    ],
)
def test_pronoun_and_bare_quote_continue_the_previous_speaker(sentence):
    assert said(sentence, EARLIER) == EARLIER


def test_pronoun_without_a_previous_speaker_is_unattributed():
    assert said('"We have a lot of work ahead of us," he said.') is None
    assert said("“We will rebuild every single home and every school.”") is None


@pytest.mark.parametrize(
    "sentence",
    [
        'He called the group "terrorists" and left the room.',
        "The ministry described the flight as “highly provocative” on Friday.",
        'The vote was "historic," said Maria Lopez.',
        "Trump warned the jets could be “shot down” if they came closer.",
    ],
)
def test_short_scare_quotes_are_not_attributed(sentence):
    assert said(sentence, EARLIER) is None


@pytest.mark.parametrize(
    "sentence",
    [
        'Officials said "nobody was warned in time" by the sirens.',
        'Residents told reporters "the water came too fast for anyone".',
        '"The bridge is closed until further notice," police said.',
        '"The bridge is closed until further notice," the ministry said in a statement.',
        "The council will vote next week on the plan for the harbour.",
        '"We will study the report before we decide," Harris\' lawyer said.',
    ],
)
def test_groups_institutions_and_prose_have_no_speaker(sentence):
    assert said(sentence) is None


def test_span_limits_the_sentence_examined():
    text = 'Intro sentence here. "We will rebuild every single home," said Ada Moss. Next one.'
    start = text.index('"')
    end = text.index(" Next")
    assert attributed_speaker(text, start, end, None).name == "Ada Moss"
    assert attributed_speaker(text, 0, start - 1, None) is None


# -- reported speech -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Mr Xi said the world must choose between peace and war.", "Xi"),
        ("Prime Minister Ana Lisowen told parliament the dam would be rebuilt.", "Ana Lisowen"),
        ("UN climate chief Simon Stiell urged delegates not to squabble.", "Simon Stiell"),
        (
            "Rolf Andersen, who runs the depot, said the fire started in a workshop.",
            "Rolf Andersen",
        ),
        ("Ada Moss has also warned that repairs will take a year.", "Ada Moss"),
    ],
)
def test_reported_speaker(sentence, name):
    assert reported_speaker(sentence, 0, len(sentence)).name == name


@pytest.mark.parametrize(
    "sentence",
    [
        "The fire was put out after four hours.",
        "It said the fire was out.",
        "Officials said the fire was out.",
    ],
)
def test_no_reported_speaker(sentence):
    assert reported_speaker(sentence, 0, len(sentence)) is None


# -- names -----------------------------------------------------------------------------------


def test_full_name_from_earlier_mention():
    text = (
        "Chinese President Xi Jinping spoke on Wednesday. Mr Xi rode in an open car. "
        "On Monday Xi met envoys."
    )
    assert full_name(text, "Xi") == "Xi Jinping"


def test_full_name_skips_titles_and_calendar_words():
    text = "Russian President Vladimir Putin spoke. In Moscow Putin Tuesday said more."
    assert full_name(text, "Putin") == "Vladimir Putin"
    assert full_name("Putin said it. In Moscow Putin Tuesday answered.", "Putin") == "Putin"
    assert full_name("Prime Minister Keir Starmer wrote. Starmer added.", "Starmer") == (
        "Keir Starmer"
    )


def test_full_name_leaves_full_names_alone():
    assert full_name("Vladimir Putin and Putin.", "Vladimir Putin") == "Vladimir Putin"
    assert full_name("Nothing about the name here.", "Moss") == "Moss"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Putin", "Vladimir Putin"),
        ("Vladimir Putin", "Vladimir V. Putin"),
        ("Xi", "Xi Jinping"),
        ("Emmanuel Macron", "Macron"),
        ("Lula", "Luiz Inácio Lula da Silva"),
        ("Kim Jong Un", "Kim Jong-un"),
        ("Dr. Ingrid Sollis", "Ingrid Sollis"),
        ("putin", "PUTIN"),
    ],
)
def test_same_person(a, b):
    assert same_person(a, b)
    assert same_person(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Putin", "Volodymyr Zelenskiy"),
        ("Anna Berg", "Anna Lind"),
        ("Marta Quillon", "Marta Berg"),
        ("", ""),
        ("", "Putin"),
    ],
)
def test_not_same_person(a, b):
    assert not same_person(a, b)


def test_quotes_in_finds_every_quote_style():
    text = "He said “one two three”, then \"four five\" and «six». Nothing 'here'."
    found = quotes_in(text, 0, len(text))
    assert [text[q.start : q.end] for q in found] == ["“one two three”", '"four five"', "«six»"]
    assert [q.words(text) for q in found] == [3, 2, 1]


# -- briefing attribution lines --------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Ilse Marrow, Chair of the Harbour Board (Kessel, Sept. 5, 2025)",
         Speaker(name="Ilse Marrow", role="Chair of the Harbour Board", place="Kessel",
                 when="Sept. 5, 2025")),
        ("— Peder Lund, spokesman (Kessel, 3 March 2024)",
         Speaker(name="Peder Lund", role="spokesman", place="Kessel", when="3 March 2024")),
        ("Peder Lund, spokesman, Kessel, Oct. 27, 2025",
         Speaker(name="Peder Lund", role="spokesman", place="Kessel", when="Oct. 27, 2025")),
        ("Peder Lund, spokesman (statement)", Speaker(name="Peder Lund", role="spokesman")),
        ("Peder Lund (Kessel, 2025-10-14)",
         Speaker(name="Peder Lund", place="Kessel", when="2025-10-14")),
        ("Peder Lund, spokesman (Oct. 14, 2025)",
         Speaker(name="Peder Lund", role="spokesman", when="Oct. 14, 2025")),
        ("Peder Lund, spokesman", Speaker(name="Peder Lund", role="spokesman")),
        ("Tomas Brink", Speaker(name="Tomas Brink")),
        ("— Tomas Brink.", Speaker(name="Tomas Brink")),
        ("Sela Marsh, Mayor-elect of Vell (Vell, Oct. 21, 2025)",
         Speaker(name="Sela Marsh", role="Mayor-elect of Vell", place="Vell",
                 when="Oct. 21, 2025")),
        ("– Agnete Holm-Varga, Harbour-master",
         Speaker(name="Agnete Holm-Varga", role="Harbour-master")),
        ("Agnete Holm-Varga — Harbour-master",
         Speaker(name="Agnete Holm-Varga", role="Harbour-master")),
        ("Rana Ilves, Minister of State, Tallmark, Vell, Dec. 7, 2025",
         Speaker(name="Rana Ilves", role="Minister of State", place="Tallmark, Vell",
                 when="Dec. 7, 2025")),
    ],
)  # fmt: skip
def test_parse_attribution(line, expected):
    assert parse_attribution(line) == expected


@pytest.mark.parametrize("line", ["", "   ", "— ", "the minister said so", "x" * 120])
def test_parse_attribution_refuses_what_is_not_a_name(line):
    assert parse_attribution(line) is None
