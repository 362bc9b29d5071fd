"""Query analysis as a pure function: whose words, which standing, what topic."""

from __future__ import annotations

import pytest

from retrieval.query import analyze

KNOWN = {
    "Vladimir Putin": "Russian President",
    "Volodymyr Zelenskiy": "Ukrainian President",
    "Elon Musk": "",
    "Robyn Denholm": "",
    "Tiago Renswick": "Dunmoor Athletic striker",
    "Oskar Brandvold": "Dunmoor Athletic head coach",
    "Duarte Felgueira": "President of Sporting Castelvar",
    "Adrian Velos": "Chief Executive of Marevian National Gas",
    "Samir Daleth": "Marevian Energy Minister",
}


def test_a_named_speaker_asked_what_they_said() -> None:
    q = analyze("what did Putin say about Western troops?", KNOWN)

    assert q.speakers == ("Vladimir Putin",)
    assert q.wants_statement
    assert not q.wants_status
    assert not q.wants_overview  # "about" does not make a who-said question an overview
    assert q.topic_terms == ("western", "troops")  # no name, no stop word, no verb of saying
    assert q.text == "what did Putin say about Western troops?"


def test_white_space_is_normalised() -> None:
    assert analyze("  what did\n Putin   say ", KNOWN).text == "what did Putin say"


def test_a_person_named_as_the_object_is_not_the_speaker() -> None:
    q = analyze("what did the tesla board chair say about musk's pay", KNOWN)
    assert "Elon Musk" not in q.speakers
    assert q.wants_statement
    assert "pay" in q.topic_terms

    q = analyze("what did putin say about zelenskiy", KNOWN)
    assert q.speakers == ("Vladimir Putin",)
    assert "zelenskiy" in q.topic_terms

    q = analyze("what did zelenskiy say about putin", KNOWN)
    assert q.speakers == ("Volodymyr Zelenskiy",)


def test_the_board_chair_found_by_role_when_the_role_is_known() -> None:
    known = {**KNOWN, "Robyn Denholm": "Chair of the Tesla board"}
    q = analyze("what did the tesla board chair say about musk's pay", known)
    assert q.speakers == ("Robyn Denholm",)


def test_a_possessive_name_is_what_the_question_is_about() -> None:
    q = analyze("how big is musk's new tesla pay package", KNOWN)
    assert q.speakers == ()
    assert not q.wants_statement


def test_a_possessive_name_before_a_saying_word_is_the_speaker() -> None:
    q = analyze("musk's reaction to the vote?", KNOWN)
    assert q.speakers == ("Elon Musk",)
    assert q.wants_statement


def test_x_on_y_asks_for_xs_view() -> None:
    q = analyze("musk on his pay package", KNOWN)
    assert q.speakers == ("Elon Musk",)
    assert q.wants_statement


def test_a_speaker_described_by_role_not_by_the_topic_of_the_question() -> None:
    # "striker" is a role word too, but it is what the coach is asked about.
    q = analyze("dunmoor coach on the new striker", KNOWN)
    assert q.speakers == ("Oskar Brandvold",)
    assert q.wants_statement

    q = analyze("castelvar president on selling renswick", KNOWN)
    assert q.speakers == ("Duarte Felgueira",)


def test_a_role_given_as_an_acronym_and_a_synonym() -> None:
    q = analyze("mng ceo on when pipeline construction starts", KNOWN)
    assert q.speakers == ("Adrian Velos",)


def test_one_shared_role_word_names_nobody() -> None:
    known = {"Ana Lisowen": "Prime Minister of Varnesia", "Ilse Varga": "Labour Minister"}
    assert analyze("what did the minister say", known).speakers == ()
    assert analyze("what did the labour minister say", known).speakers == ("Ilse Varga",)


def test_no_role_is_looked_for_when_the_question_asks_for_no_words() -> None:
    assert analyze("how old is the dunmoor coach", KNOWN).speakers == ()


@pytest.mark.parametrize(
    "question",
    [
        "is the loan confirmed?",
        "did the recount find any fraud",
        "has it been confirmed that the dam was inspected",
        "Was the database really stolen?",
        "what was confirmed about the breach",
        "are the reports of a second database true",
    ],
)
def test_wants_status(question: str) -> None:
    assert analyze(question, KNOWN).wants_status


@pytest.mark.parametrize(
    "question", ["what did putin say about western troops", "how many ballots were rejected"]
)
def test_does_not_want_status(question: str) -> None:
    assert not analyze(question, KNOWN).wants_status


@pytest.mark.parametrize(
    "question",
    [
        "what happened at the port of tessaly",
        "whats going on with the dock strike",
        "explain the brevik recount",
        "give me a summary of the dam collapse",
    ],
)
def test_wants_overview(question: str) -> None:
    q = analyze(question, KNOWN)
    assert q.wants_overview
    assert not q.wants_statement


def test_a_saying_question_is_not_an_overview() -> None:
    q = analyze("what did the union say about the strike", KNOWN)
    assert q.wants_statement and not q.wants_overview
    assert q.speakers == ()
    assert q.topic_terms == ("union", "strike")


def test_an_empty_question() -> None:
    q = analyze("   ", KNOWN)
    assert q.text == "" and q.speakers == () and q.topic_terms == ()
