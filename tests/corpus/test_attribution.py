"""Who speaks (corpus.attribution on spaCy's en_core_web_sm): every rule on invented
sentences, names and outlets, and the briefing attribution lines."""

from __future__ import annotations

import pytest

from corpus.attribution import Attributor, Run, attributor
from corpus.briefing import parse_attribution
from corpus.errors import CorpusError
from corpus.models import Speaker, Status
from corpus.nlp import DEFAULT_MODEL, NlpModelError, Pipeline
from corpus.parse import parse_article
from corpus.segment import blocks


@pytest.fixture(scope="module")
def nlp() -> Attributor:
    return attributor()


def runs(nlp: Attributor, text: str) -> list[Run]:
    found = nlp.attribute(text, [(b.start, b.end) for b in blocks(text)])
    return [r for paragraph in found for r in paragraph]


def said(nlp: Attributor, text: str, part: str | None = None) -> Run:
    """The run holding `part` (by default the last one)."""
    found = runs(nlp, text)
    if part is None:
        return found[-1]
    at = text.index(part)
    return next(r for r in found if r.start <= at < r.end)


def name(nlp: Attributor, text: str, part: str | None = None) -> str | None:
    run = said(nlp, text, part)
    return run.speaker.name if run.speaker else None


# -- where the attribution stands ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "“We will appeal against this ruling,” Tomasz Wrona said.",
        "“We will appeal against this ruling,” said Tomasz Wrona.",
        "Tomasz Wrona said: “We will appeal against this ruling.”",
        "Tomasz Wrona told reporters: “We will appeal against this ruling.”",
        "“We will appeal,” Tomasz Wrona said, “and we expect to win.”",
        "“We will appeal against this ruling,” according to Tomasz Wrona.",
        "“We will appeal against this ruling,” Tomasz Wrona later told the Kessel Courier.",
        "«We will appeal against this ruling», said Tomasz Wrona.",
        "‘We will appeal against this ruling,’ Tomasz Wrona said.",
        "”We will appeal against this ruling,” Tomasz Wrona said.",  # the wrong opening mark
        "“We will appeal. The ruling ignores the evidence,” Tomasz Wrona said.",  # two sentences
    ],
)
def test_quote_before_after_and_around_the_attribution(nlp, text):
    run = said(nlp, text)
    assert run.direct
    assert run.speaker == Speaker(name="Tomasz Wrona")


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“This is bitter,” far-right Union party leader Ana Berg said on Tuesday.",
         Speaker(name="Ana Berg", role="far-right Union party leader")),
        ("“We will appeal the verdict,” the senator’s lawyer Tom Reyes said.",
         Speaker(name="Tom Reyes", role="senator’s lawyer")),
        ("“The count is not final,” interjected Tomas Verhoef, the party's deputy leader.",
         Speaker(name="Tomas Verhoef", role="party's deputy leader")),
        ("“We played with heart,” said Park Ji-hoon, the team captain.",
         Speaker(name="Park Ji-hoon", role="team captain")),
        ("“We are proud of this squad,” said Coach Elin Vass, who took over in June.",
         Speaker(name="Elin Vass", role="Coach")),
        ("“The bridge will reopen in May,” said Harrow County Department of Roads Director "
         "Elin Vass.",
         Speaker(name="Elin Vass", role="Harrow County Department of Roads Director")),
        ("The company's spokeswoman, Lina Sørby, said: “We have found the fault.”",
         Speaker(name="Lina Sørby", role="company's spokeswoman")),
        ("“It is a good day for the harbour,” Mr. Kalle Harris said.",
         Speaker(name="Kalle Harris")),
        ("“We expect a long night at the count,” AFP Maria Lopez reported.",
         Speaker(name="Maria Lopez")),  # an outlet's tag is no title
    ],
)  # fmt: skip
def test_roles_before_the_name_and_in_apposition(nlp, text, speaker):
    run = said(nlp, text)
    assert run.direct
    assert run.speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        "“I am honoured to serve this city,” Maria de la Cruz said.",
        "The bill passed after a long debate on the Banking Act. Miller said: “It is a relief.”",
    ],
)
def test_names_the_tagger_keeps_whole(nlp, text):
    assert name(nlp, text) in {"Maria de la Cruz", "Miller"}


# -- speech predicates beyond "said" ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direct"),
    [
        ("Mayor Petra Lindqvist condemned the plan, calling it “a betrayal of every family”.",
         True),
        ("Petra Lindqvist acknowledged that “mistakes were made at every level”.", True),
        ("Lindqvist had this to say in a post: “We are done with half measures,” she wrote.",
         True),
        ("“The hard part starts now,” Lindqvist quipped.", True),
        ("Petra Lindqvist believes the era of cheap credit “must end”.", False),  # two words
        ("The plan was condemned by Petra Lindqvist as “reckless and unfunded”.", True),
        ("Lindqvist's claim that “every depot will close by March” was denied.", True),
    ],
)  # fmt: skip
def test_a_general_lexicon_of_reporting_verbs(nlp, text, direct):
    run = said(nlp, text)
    assert run.speaker is not None and run.speaker.name.endswith("Lindqvist")
    assert run.direct is direct


# -- quotes that continue --------------------------------------------------------------------


def test_a_quote_of_several_paragraphs_keeps_its_speaker(nlp):
    text = (
        'Zara Holm said: "The dam is safe.\n\n"We have checked every joint.\n\n'
        '"Nobody needs to leave their home."\n\nThe river fell overnight.'
    )
    found = runs(nlp, text)
    assert [r.speaker.name if r.speaker else None for r in found] == [
        "Zara Holm", "Zara Holm", "Zara Holm", None
    ]  # fmt: skip
    assert [r.direct for r in found] == [True, True, True, False]


def test_a_quote_on_its_own_continues_the_speaker_just_before(nlp):
    text = (
        "“We will rebuild every home on this street,” said Councillor Ada Moss. "
        "“Every single one.”\n\n“The first families move back in by spring.”"
    )
    assert {r.speaker for r in runs(nlp, text)} == {Speaker(name="Ada Moss", role="Councillor")}


def test_paragraphs_without_verbs_or_nouns_have_no_speaker(nlp):
    """Only verbs and nouns get lemmas; spaCy's matcher refuses a doc with none at all."""
    text = "“!!! ???”\n\n12 34 56\n\n“We will rebuild,” said Ada Moss."
    found = runs(nlp, text)
    assert [r.speaker.name if r.speaker else None for r in found] == [None, None, "Ada Moss"]


def test_text_past_the_parse_bounds_is_left_unattributed(nlp):
    """A paragraph longer than news paragraphs run (its breaks lost) and a run-on "sentence"
    are not searched for speakers, so that no input costs more than its length."""
    from corpus.attribution import MAX_PARAGRAPH_CHARS, MAX_SENTENCE_TOKENS

    quote = "“We will rebuild the pier,” said Ada Moss."
    wall = quote + " word" * (MAX_PARAGRAPH_CHARS // 5)
    run_on = "“We will rebuild the pier,” said Ada Moss " + "and then " * MAX_SENTENCE_TOKENS
    text = f"{wall}\n\n{run_on}.\n\n{quote}"
    found = nlp.attribute(text, [(b.start, b.end) for b in blocks(text)])
    assert [[r.speaker for r in paragraph] for paragraph in found[:2]] == [[None], [None]]
    assert found[2][0].speaker == Speaker(name="Ada Moss") and found[2][0].direct


def test_a_quote_on_its_own_after_other_prose_is_not_guessed(nlp):
    text = (
        "“We will rebuild,” said Ada Moss.\n\nThe river rose again on Friday.\n\n"
        "Dozens of workers gathered outside the depot.\n\n“We will not be silenced.”"
    )
    assert said(nlp, text).speaker is None


# -- references back -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Orla Quigley, the union's general secretary, spoke to reporters.\n\n"
         "“We are not going anywhere,” she said.", "Orla Quigley"),
        ("Elin Vass was appointed on Monday.\n\n"
         "Taking to the stage, she said: “I will not let this city down.”", "Elin Vass"),
        ("Mr. Kalle Harris and Ms. Noor Harris spoke at the hearing.\n\n"
         "“We will not sell the farm to anyone,” she said.", "Noor Harris"),
        ("Health Minister Oskar Lind and Finance Minister Mara Sten met on Friday.\n\n"
         "“The budget is balanced,” the finance minister said.", "Mara Sten"),
        ("Finance Minister Mara Sten presented the budget.\n\n"
         "“This budget protects the poorest households,” the minister added.", "Mara Sten"),
        ("Former President Aron Velde left office in 2019.\n\n"
         "“I have no plans to return,” the former president said.", "Aron Velde"),
        ("President Aron Velde addressed parliament.\n\n"
         "“We will not yield an inch,” the leader said.", "Aron Velde"),
        ("The Velmar prosecutor said the jewels were worth millions.\n\n"
         "“We are following every lead,” said prosecutor Irja Haug.", "Irja Haug"),
    ],
)  # fmt: skip
def test_pronouns_and_role_nouns_resolve_to_the_last_compatible_person(nlp, text, speaker):
    found = runs(nlp, text)
    assert {r.speaker.name for r in found if r.speaker} == {speaker}


def test_the_prosecutor_named_in_the_next_paragraph_is_the_one_who_said_it(nlp):
    text = (
        "The jewels are worth 88 million euros, the Velmar prosecutor said on Tuesday.\n\n"
        "About 100 investigators are on the case, said prosecutor Irja Haug."
    )
    first = said(nlp, text, "The jewels")
    assert first.speaker.name == "Irja Haug" and not first.direct


def test_a_reference_back_that_says_more_gives_its_role_to_the_person(nlp):
    text = (
        "Velmar's fisheries minister said on Monday that the quota would stay.\n\n"
        "“The quota is not negotiable,” the minister, Irja Haug, told parliament."
    )
    first = said(nlp, text, "Velmar's")
    assert first.speaker == Speaker(name="Irja Haug", role="Velmar's fisheries minister")


def test_a_reference_back_that_says_less_keeps_the_role_known(nlp):
    text = (
        "Fisheries Minister Irja Haug met the trawler crews.\n\n"
        "“The quota is not negotiable,” the minister said."
    )
    assert said(nlp, text).speaker == Speaker(name="Irja Haug", role="Fisheries Minister")


def test_a_role_noun_with_nobody_to_refer_to_is_unattributed(nlp):
    text = (
        "Finance Minister Mara Sten met envoys.\n\n“The budget is safe,” the health minister said."
    )
    assert said(nlp, text).speaker is None


@pytest.mark.parametrize(
    "text",
    [
        "Fenwick Bank reported a loss on Monday.\n\n"
        "“We are cutting costs across the group,” the bank said.\n\n"
        "“Jobs will go in every region,” it added.",
        "“We acknowledge the error and apologise,” Fenwick Bank said in a statement.\n\n"
        "“We are reviewing every account,” the company added.",
        "“We have no comment on the merger talks,” a Fenwick Bank spokeswoman said.",
        "“We will reopen every branch within a year,” said a statement from Fenwick Bank.",
    ],
)
def test_organisations_speak(nlp, text):
    assert {r.speaker.name for r in runs(nlp, text) if r.speaker} == {"Fenwick Bank"}


def test_a_post_or_statement_speaks_for_its_author(nlp):
    text = "Orla Quigley posted on Sunday night.\n\n“We will be back next year,” read the post."
    assert name(nlp, text) == "Orla Quigley"


def test_it_is_no_organisation_that_has_not_spoken(nlp):
    text = (
        "The Harbour Authority of Vell approved the order.\n\n"
        "It will also instruct the port to adopt the “Clean Harbour Pledge” rules."
    )
    assert said(nlp, text).speaker is None


# -- nobody named ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "“Nobody was warned in time,” a resident said.",
        '"The bridge is closed until further notice," police said.',
        'Officials said "nobody was warned in time" by the sirens.',
        '"We will study the report before we decide."',
        "“We will study the report before we decide,” he said.",  # no one to refer to
        "The Department of Public Works said the “Riverside Renewal Plan” would start.",
        "Union leaders called the offer “insulting”.",
    ],
)
def test_quotes_without_a_named_speaker_stay_unattributed(nlp, text):
    run = said(nlp, text)
    assert not run.direct
    if run.speaker is not None:  # reported speech by an organisation, not a statement
        assert run.speaker.name == "Department of Public Works"


def test_scare_quotes_and_titles_are_not_statements(nlp):
    text = "Mayor Ada Moss called the protesters “thugs” and praised the “Clean Streets Act”."
    run = said(nlp, text)
    assert not run.direct
    assert run.speaker is not None and run.speaker.name == "Ada Moss"  # reported speech


# -- reported speech -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("Sheriff Bo Ranta said the number of missing remains unclear.", "Bo Ranta"),
        ("The fire started in a workshop, according to Bo Ranta.", "Bo Ranta"),
        ("Bo Ranta condemned the strike on the depot.", "Bo Ranta"),
        ("The plan was condemned by Bo Ranta as reckless.", "Bo Ranta"),
        ("Turnout was low, Bo Ranta wrote on his blog, the Harbour Gazette reported.", "Bo Ranta"),
        ("Bo Ranta, who runs the depot, said the fire started in a workshop.", "Bo Ranta"),
    ],
)  # fmt: skip
def test_reported_speech_has_its_speaker_but_is_no_statement(nlp, text, speaker):
    run = said(nlp, text)
    assert run.speaker is not None and run.speaker.name == speaker
    assert not run.direct


@pytest.mark.parametrize(
    "text",
    [
        "The fire was put out after four hours.",
        "A person close to Bo Ranta, who asked not to be named, told the Courier it was arson.",
        "Bo Ranta plans to announce his candidacy on Friday.",
        "Officials said the fire was out.",
    ],
)
def test_no_reported_speaker(nlp, text):
    assert said(nlp, text).speaker is None


# -- names across the article ----------------------------------------------------------------


def test_a_family_name_takes_the_full_name_and_role_the_article_gave():
    text = (
        "Harbour strike ends\n\nAna Berg, the mayor, opened the session on Monday.\n\n"
        "“The plan is ready,” Berg said."
    )
    article = parse_article(text)
    (statement,) = [p for p in article.passages if p.status is Status.STATEMENT]
    assert statement.speaker == Speaker(name="Ana Berg", role="mayor")


def test_two_people_sharing_a_family_name_keep_the_short_form(nlp):
    text = (
        "Anna Berg, the mayor, and Tom Berg, her brother, both spoke.\n\n"
        "“We disagree about the plan,” Berg said."
    )
    assert name(nlp, text) == "Berg"


# -- in the parsed article -------------------------------------------------------------------


def test_plain_article_statements_and_reported_speech():
    text = (
        "Ferry service to resume\n\n"
        "The ferry to Kessel will run again from Monday, harbour master Ines Dahlberg said.\n\n"
        "“The new engines passed every test,” Dahlberg said. “We are ready.”\n\n"
        "The crossing takes forty minutes."
    )
    article = parse_article(text)
    by_status = {p.status: p for p in article.passages}
    assert by_status[Status.STATEMENT].speaker.name == "Ines Dahlberg"
    reported = next(p for p in article.passages if p.text.startswith("The ferry"))
    assert reported.status is Status.UNSPECIFIED and reported.speaker.name == "Ines Dahlberg"
    last = article.passages[-1]
    assert last.speaker is None and last.status is Status.UNSPECIFIED


def test_a_briefing_keeps_its_section_status_for_reported_speech():
    text = (
        "Kessel harbour reopens\n\nLead: The harbour reopened on Monday.\n\n"
        "Verified Facts\n\nHarbour master Ines Dahlberg said the channel was clear.\n\n"
        "Official Statements\n\n“We are open for business.”\n\n"
        "Ines Dahlberg, Harbour Master (Kessel, March 3, 2025)\n\n"
        "Unconfirmed\n\n• Some pilots say the buoys are misplaced.\n"
    )
    article = parse_article(text)
    fact = next(p for p in article.passages if p.section == "Verified Facts")
    assert fact.status is Status.VERIFIED and fact.speaker.name == "Ines Dahlberg"
    statement = next(p for p in article.passages if p.status is Status.STATEMENT)
    assert statement.speaker == Speaker(
        name="Ines Dahlberg", role="Harbour Master", place="Kessel", when="March 3, 2025"
    )


# -- the pipeline ----------------------------------------------------------------------------


def test_the_default_model_loads_offline_and_an_unknown_one_is_refused():
    assert Pipeline(DEFAULT_MODEL).parse(["Ana Berg said so."])[0][0].ent_type_ == "PERSON"
    with pytest.raises(NlpModelError, match="no-such-model") as caught:
        Pipeline("no-such-model").parse(["text"])
    assert isinstance(caught.value, CorpusError)


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
