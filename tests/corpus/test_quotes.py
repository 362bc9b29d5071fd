"""Finding quotations (corpus.quotes): the first stage of attribution, on invented text."""

from __future__ import annotations

import pytest

from corpus.quotes import Quote, quotes_by_paragraph, quotes_in


def found(text: str) -> list[str]:
    return [text[q.start : q.end] for q in quotes_in(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "quotes"),
    [
        ("He said “one two three”, then left.", ["“one two three”"]),
        ('He said "one two three", then left.', ['"one two three"']),
        ("He said «one two three», then left.", ["«one two three»"]),
        ("He said ‘one two three’, then left.", ["‘one two three’"]),
        ("”This is bitter,” Berg said.", ["”This is bitter,”"]),  # a closing mark opens
        ("’We will fight,’ Berg said.", ["’We will fight,’"]),
        ('"One," she said, "and two."', ['"One,"', '"and two."']),
        (
            "“The deal is ‘final’, we were told,” Berg said.",
            ["“The deal is ‘final’, we were told,”"],
        ),
    ],
)
def test_every_mark_style_opens_and_closes(text, quotes):
    assert found(text) == quotes


@pytest.mark.parametrize(
    "text",
    [
        "The workers’ union met and the ’90s plant shut; rock ’n’ roll don’t stop.",
        "Berg's plan and the Harrises' farm were in the '80s news.",
        "It cost 6' by 4' in the old units.",
    ],
)
def test_apostrophes_are_not_quotes(text):
    assert found(text) == []


def test_a_quote_never_closed_runs_to_the_end_of_the_paragraph():
    text = 'She said "we will not leave and that is final.'
    (q,) = quotes_in(text, 0, len(text))
    assert (q.start, q.end, q.closed) == (text.index('"'), len(text), False)
    assert q.inner(text) == "we will not leave and that is final."


def test_a_quote_of_several_paragraphs_continues_where_the_next_one_opens_again():
    text = "“The first part.\n\n“The second part.\n\n“The end.”\n\nPlain prose."
    paragraphs = [(0, 16), (18, 35), (37, 47), (49, len(text))]
    by_paragraph = quotes_by_paragraph(text, paragraphs)
    assert [len(qs) for qs in by_paragraph] == [1, 1, 1, 0]
    first, second, last = (qs[0] for qs in by_paragraph[:3])
    assert not first.closed and not first.continues
    assert not second.closed and second.continues
    assert last.closed and last.continues


def test_an_unclosed_quote_does_not_continue_into_a_paragraph_without_a_mark():
    text = "“The first part.\n\nThen prose “with a quote” later."
    by_paragraph = quotes_by_paragraph(text, [(0, 16), (18, len(text))])
    assert by_paragraph[1] == [Quote(text.index("“with"), text.index(" later"))]
    assert not by_paragraph[1][0].continues


def test_words_counts_the_quoted_words():
    text = "He called it “a clear and present danger” and “bad”."
    long_, short = quotes_in(text, 0, len(text))
    assert (long_.words(text), short.words(text)) == (5, 1)


def test_a_span_limits_the_search():
    text = "“Outside.” Then “inside the span” here."
    start = text.index("Then")
    assert [text[q.start : q.end] for q in quotes_in(text, start, len(text))] == [
        "“inside the span”"
    ]
