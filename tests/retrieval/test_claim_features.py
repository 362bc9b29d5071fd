"""The claim features, each rule on invented sentences."""

from __future__ import annotations

import pytest

from retrieval.claim_features import (
    Quantity,
    consistent,
    contradicts,
    core,
    denies,
    hedged,
    names,
    number_agreement,
    quantities,
    targeted_denial,
    views,
)


def test_names_are_capitalised_words_inside_sentences() -> None:
    text = "Officials in Brenmoor said the Galt Works closed. Brenmoor is quiet."
    assert names(text) == {"brenmoor", "galt", "work"}
    # A capitalised opener counts only when the article knows it as a name.
    assert names("Officials say so.", known={"brenmoor"}) == set()
    assert names("Brenmoor is quiet.", known={"brenmoor"}) == {"brenmoor"}


def test_quantities_skip_dates_years_and_clock_times() -> None:
    found = quantities("About 1,200 people left at 04:20 on Oct. 14, 2025; €2.4 million was paid.")
    assert Quantity(1200.0, "peopl", "approximate") in found
    assert Quantity(2_400_000.0, "currenc", "exact") in found
    assert all(q.value not in (4.0, 20.0, 14.0, 2025.0) for q in found)
    assert quantities("more than thirty homes") == [Quantity(30.0, "home", "lower")]


@pytest.mark.parametrize(
    ("claimed", "found", "ok"),
    [
        ("about 40 people", "43 people", True),  # refined
        ("about 40 people", "12 people", False),
        ("at least 30 homes", "55 homes", True),  # on the side of the bound
        ("up to 50 boats", "20 boats", True),
    ],
)
def test_a_refined_figure_is_consistent(claimed: str, found: str, ok: bool) -> None:
    assert consistent(quantities(claimed)[0], quantities(found)[0]) is ok


def test_number_agreement_needs_the_same_unit() -> None:
    assert number_agreement("about 70 sheep drowned", "71 sheep drowned") == 1
    assert number_agreement("about 70 sheep drowned", "9 sheep drowned") == -1
    assert number_agreement("about 70 sheep drowned", "900 residents left") == 0


def test_hedges_are_not_denials() -> None:
    assert not denies("Reports that the mayor resigned have not been confirmed.")
    assert denies("The mayor denied that she had resigned.")
    assert not contradicts("The mayor is said to have resigned.", "The mayor resigned on Friday.")
    assert contradicts("The mayor is said to have resigned.", "The mayor did not resign.")
    assert not contradicts(
        "The mill is said to have closed.", "The owner declined to comment on the mill."
    )


def test_a_hedge_says_the_matter_is_open() -> None:
    assert hedged("How many were aboard the ferry is still unclear.")
    assert hedged("The toll has not yet been confirmed by the port authority.")
    assert not hedged("Forty passengers were aboard the ferry.")


def test_a_denial_must_be_aimed_at_the_claim() -> None:
    claim = "Arson is suspected in the warehouse fire."
    assert targeted_denial(claim, "Fire officers ruled out arson on Tuesday.")
    assert not targeted_denial(claim, "The roads were not busy, police said.")


def test_the_core_drops_attribution_and_hedges() -> None:
    assert core("Porters say a crane had failed, according to a union.") == "A crane had failed."
    assert core("The tug is said to have sunk.") == "The tug has sunk."
    assert core("The crew is believed to be safe.") == "The crew is safe."


def test_views_hold_what_a_frame_reports() -> None:
    seen = views("Divers found no evidence that the hull had been holed below the waterline.")
    assert "The hull had been holed below the waterline." in seen
