"""Cutting text into lines, paragraphs, bullets, sentences and chunks, always as spans."""

from __future__ import annotations

from itertools import pairwise

import pytest

from corpus.segment import MAX_PASSAGE_CHARS, Block, blocks, chunk, lines, sentences, trim


def spans(text: str, found: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in found]


def block_texts(text: str) -> list[tuple[str, bool]]:
    return [(text[b.start : b.end], b.bullet) for b in blocks(text)]


def split(text: str) -> list[str]:
    return spans(text, sentences(text, 0, len(text)))


# -- trim and lines --------------------------------------------------------------------------


def test_trim_shrinks_to_content():
    text = "  \t word  \n"
    s, e = trim(text, 0, len(text))
    assert text[s:e] == "word"
    assert trim("   ", 0, 3) == (3, 3)
    assert trim("abc", 1, 2) == (1, 2)


def test_lines_exclude_newlines_and_respect_bounds():
    text = "one\ntwo\n\nthree"
    assert spans(text, lines(text)) == ["one", "two", "", "three"]
    assert spans(text, lines(text, 4, 8)) == ["two"]
    assert lines("") == []


# -- blocks ----------------------------------------------------------------------------------


def test_blank_lines_separate_paragraphs():
    text = "First paragraph here.\n\n\nSecond paragraph here.\n   \nThird."
    assert block_texts(text) == [
        ("First paragraph here.", False),
        ("Second paragraph here.", False),
        ("Third.", False),
    ]


def test_hard_wrapped_lines_continue_the_paragraph():
    text = "The harbour board met on\nMonday and approved the plan.\nA second paragraph starts."
    assert block_texts(text) == [
        ("The harbour board met on\nMonday and approved the plan.", False),
        ("A second paragraph starts.", False),
    ]


def test_line_after_final_punctuation_starts_a_paragraph_without_blank_line():
    text = "Heading Words\nThe board met.\n“A quote follows here.”\nName Surname, role"
    assert [t for t, _ in block_texts(text)] == [
        "Heading Words\nThe board met.",
        "“A quote follows here.”",
        "Name Surname, role",
    ]


@pytest.mark.parametrize("marker", ["•", "-", "*", "–", "1.", "2)", "●", "▪"])
def test_bullet_markers_start_items_and_are_excluded(marker):
    text = f"Intro line.\n  {marker} first item\n{marker}\tsecond item.\nAfter the list."
    assert block_texts(text) == [
        ("Intro line.", False),
        ("first item", True),
        ("second item.", True),
        ("After the list.", False),
    ]


def test_wrapped_bullet_item_continues_on_the_next_line():
    text = "• a long item that wraps\n  onto the next line.\n• next item."
    assert block_texts(text) == [
        ("a long item that wraps\n  onto the next line.", True),
        ("next item.", True),
    ]


def test_hyphen_without_space_is_not_a_bullet():
    text = "-5 degrees was the low.\n\n—Quote dash line"
    assert block_texts(text) == [("-5 degrees was the low.", False), ("—Quote dash line", False)]


def test_blocks_are_limited_to_the_region_and_trimmed():
    text = "Outside.\n\n  Inside one.  \n\nInside two.\n\nOutside again."
    start = text.index("  Inside")
    end = text.index("Outside again.")
    found = blocks(text, start, end)
    assert [text[b.start : b.end] for b in found] == ["Inside one.", "Inside two."]
    assert all(isinstance(b, Block) and not b.bullet for b in found)


def test_crlf_free_text_spans_are_exact():
    text = "A.\n\n• b item\n\nC line."
    for b in blocks(text):
        assert text[b.start : b.end] == text[b.start : b.end].strip()
        assert b.start < b.end


# -- sentences -------------------------------------------------------------------------------


def test_abbreviations_do_not_end_sentences():
    text = "On Sept. 5, 2025, Mr. Xi spoke. The U.S. Army replied. Dr. Lee agreed."
    assert split(text) == [
        "On Sept. 5, 2025, Mr. Xi spoke.",
        "The U.S. Army replied.",
        "Dr. Lee agreed.",
    ]


def test_initials_and_decimals_do_not_end_sentences():
    assert split("It was J. R. Smith who won 2.5 million. He was happy.") == [
        "It was J. R. Smith who won 2.5 million.",
        "He was happy.",
    ]


def test_question_and_exclamation_marks_end_sentences():
    assert split("Is it over? Nobody knows! Maybe 3.5 percent. Or 4.") == [
        "Is it over?",
        "Nobody knows!",
        "Maybe 3.5 percent.",
        "Or 4.",
    ]


@pytest.mark.parametrize(("open_", "close"), [("“", "”"), ('"', '"'), ("«", "»")])
def test_no_split_inside_a_quotation(open_, close):
    text = f"{open_}We are ready. We are waiting,{close} he said. Then he left."
    assert split(text) == [f"{open_}We are ready. We are waiting,{close} he said.", "Then he left."]


def test_quote_ending_a_sentence_keeps_its_closing_mark():
    assert split("He said “enough.” Then he left.") == ["He said “enough.”", "Then he left."]


def test_lowercase_after_a_full_stop_continues_the_sentence():
    assert split("The figure was 2.5 million. e.g. this. It ended.") == [
        "The figure was 2.5 million. e.g. this.",
        "It ended.",
    ]


def test_no_as_a_word_ends_a_sentence_but_not_as_number():
    assert split("The mayor said no. Others agreed.") == ["The mayor said no.", "Others agreed."]
    assert split("He wore the No. 9 shirt. It suited him.") == [
        "He wore the No. 9 shirt.",
        "It suited him.",
    ]


def test_sentences_respect_offsets():
    text = "Ignore this. Keep one. Keep two. Ignore that."
    start, end = text.index("Keep"), text.index(" Ignore that")
    assert spans(text, sentences(text, start, end)) == ["Keep one.", "Keep two."]


def test_text_without_final_punctuation_is_one_sentence():
    assert split("  A headline without a full stop  ") == ["A headline without a full stop"]


# -- chunk -----------------------------------------------------------------------------------


def test_short_paragraph_is_one_chunk():
    text = "One sentence. Another one."
    assert chunk(text, 0, len(text)) == [(0, len(text))]


def test_long_paragraph_chunks_are_whole_sentences_within_the_limit():
    text = " ".join(
        f"Sentence {i} says something about the harbour and its cranes." for i in range(40)
    )
    found = chunk(text, 0, len(text))
    assert len(found) > 1
    assert all(e - s <= MAX_PASSAGE_CHARS for s, e in found)
    assert all(text[s:e].startswith("Sentence") and text[s:e].endswith(".") for s, e in found)
    assert " ".join(spans(text, found)) == text
    assert all(a[1] <= b[0] for a, b in pairwise(found))


def test_custom_limit():
    text = "Aaaa aaaa. Bbbb bbbb. Cccc cccc. Dddd dddd."
    assert spans(text, chunk(text, 0, len(text), limit=22)) == [
        "Aaaa aaaa. Bbbb bbbb.",
        "Cccc cccc. Dddd dddd.",
    ]


def test_overlong_sentence_is_cut_at_spaces_and_stays_under_600():
    text = "The list covers " + ", ".join(f"item {i}" for i in range(300)) + "."
    found = chunk(text, 0, len(text))
    assert len(found) >= 3
    assert all(e - s <= 600 for s, e in found)
    for _, e in found[:-1]:
        assert text[e] == " " or text[e - 1] == ","
    assert "".join(t.replace(" ", "") for t in spans(text, found)) == text.replace(" ", "")


def test_chunk_respects_offsets():
    prefix = "Not part of it. "
    body = " ".join(f"Line {i} of the body text goes on for a while here." for i in range(30))
    text = prefix + body + " Trailer."
    start, end = len(prefix), len(prefix) + len(body)
    found = chunk(text, start, end)
    assert found[0][0] == start and found[-1][1] == end
