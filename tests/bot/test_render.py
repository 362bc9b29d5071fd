"""Rendering a who-said answer and a "no statement" answer as Telegram HTML."""

from __future__ import annotations

from bot import render
from corpus.models import Article, Passage, Speaker, Status
from retrieval.answer import Answer, Result, Source

SOURCE = Source(article_id="a1", title="Pier to reopen", source="Harbour Post",
                url="https://example.org/pier")  # fmt: skip


def result(pid: int, text: str, speaker: str | None, *, someone_else: bool = False) -> Result:
    passage = Passage(
        id=pid, article_id="a1", ordinal=pid, section="Official Statements",
        status=Status.STATEMENT if speaker else Status.UNSPECIFIED, start=0, end=len(text),
        text=text, speaker=Speaker(name=speaker) if speaker else None,
    )  # fmt: skip
    return Result(passage=passage, article=SOURCE, score=1.0, relevance=0.5,
                  someone_else=someone_else)  # fmt: skip


def test_someone_elses_words_come_under_a_heading_once() -> None:
    answer = Answer(
        question="what did Varga say about the pier?",
        speaker="Ilse Varga",
        results=[
            result(1, "We will rebuild the pier.", "Ilse Varga"),
            result(2, "The pier is safe.", "Tom Reyl", someone_else=True),
            result(3, "Ferries will wait.", "Ana Brun", someone_else=True),
        ],
    )
    text, _ = render.answer_page(answer, 0)
    assert text.count("Not by Ilse Varga — what others said:") == 1
    assert text.index("We will rebuild") < text.index("Not by Ilse Varga") < text.index("safe")


def test_no_statement_names_the_person_and_labels_the_related_words() -> None:
    answer = Answer(
        question="what did Varga say about <the ferry>?",
        missing_speaker="Ilse Varga",
        topic="the ferry & fares",
        related=[result(1, "We will rebuild the pier.", "Ilse Varga")],
    )
    text, more = render.answer_page(answer, 0)
    assert more == 0
    assert text.startswith("No statement by <b>Ilse Varga</b> on <i>the ferry &amp; fares</i>")
    assert "Not an answer — their nearest statements on other things:" in text
    assert "We will rebuild the pier." in text and "&lt;the ferry&gt;" in text
    assert render.text_length(text) <= render.MAX_TEXT


def test_someone_never_quoted_gets_no_statement_and_the_passages_naming_them() -> None:
    answer = Answer(
        question="what did Brannock say?",
        missing_speaker="Oda Brannock",
        never_quoted=True,
        related=[result(1, "The treaty was drafted by Oda Brannock.", None)],
    )
    text, _ = render.answer_page(answer, 0)
    assert text.startswith("No statement by <b>Oda Brannock</b> in the corpus.")
    assert "Not an answer — where the corpus names them:" in text
    assert "nearest statements" not in text


def test_nothing_found_without_a_person_is_the_plain_message() -> None:
    text, _ = render.answer_page(Answer(question="banana bread?"), 0)
    assert text.startswith(render.NOTHING_FOUND)


def test_a_name_read_as_a_near_spelling_asks_did_you_mean_on_the_first_page_only() -> None:
    results = [result(i, f"Statement {i}.", "Ilse Varga") for i in range(1, 9)]
    answer = Answer(question="what did Vargga say?", speaker="Ilse Varga", spelt="Vargga",
                    results=results)  # fmt: skip
    first, more = render.answer_page(answer, 0)
    assert "🔤 Did you mean <b>Ilse Varga</b>? Nobody called “Vargga” is quoted" in first
    assert more and "Did you mean" not in render.answer_page(answer, more)[0]
    assert "Did you mean" not in render.answer_page(answer.model_copy(update={"spelt": None}), 0)[0]

    nothing = Answer(question="what did Vargga say about <b>?", missing_speaker="Ilse Varga",
                     speaker="Ilse Varga", spelt="<Vargga>")  # fmt: skip
    text, _ = render.answer_page(nothing, 0)
    assert text.startswith("🔤 Did you mean <b>Ilse Varga</b>? Nobody called “&lt;Vargga&gt;”")
    assert "No statement by <b>Ilse Varga</b>" in text


def test_a_plain_articles_summary_names_no_section() -> None:
    text = "Harbour Post reports the pier reopens on Monday."
    passage = Passage(id=1, article_id="a1", ordinal=0, section=render.PLAIN_SECTION,
                      status=Status.UNSPECIFIED, start=0, end=len(text), text=text)  # fmt: skip
    article = Article(id="a1", title="Pier reopens", text=text, format="plain",
                      passages=(passage,))  # fmt: skip
    summary = render.article_summary(article, 0)
    assert "Sections" not in summary and "Body" not in summary
    assert "Passages: 1 ▫️ Reported" in summary
