"""Synthetic briefings for the reliability tests: each with its own words, speaker and question.

Article ``i`` is a full briefing (lead, takeaways, verified facts, a statement, unconfirmed
claims, bottom line) whose facts use pseudo-words found in no other article, so that
``question(i)`` finds that article and no other, even with the hashing embedder.
"""

from __future__ import annotations

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z")
_VOWELS = ("a", "e", "i", "o", "u")


def word(i: int, salt: int = 0) -> str:
    """A pronounceable pseudo-word, unique for each (i, salt)."""
    n = i * 7919 + salt * 104_729 + 12_345
    syllables = []
    for _ in range(4):
        n, onset = divmod(n, len(_ONSETS))
        n, vowel = divmod(n, len(_VOWELS))
        syllables.append(_ONSETS[onset] + _VOWELS[vowel])
    return "".join(syllables) + "n"


def speaker(i: int) -> str:
    return f"{word(i, 1).capitalize()} {word(i, 2).capitalize()}"


def fact(i: int) -> str:
    """The verified fact that `question(i)` asks about."""
    return (
        f"Inspectors in {word(i, 3).capitalize()} counted {100 + i} {word(i, 4)} crates "
        f"stacked beside the {word(i, 5)} depot on the morning of the {word(i, 6)} audit."
    )


def question(i: int) -> str:
    return (
        f"how many {word(i, 4)} crates did inspectors in {word(i, 3).capitalize()} count "
        f"beside the {word(i, 5)} depot?"
    )


def briefing(i: int) -> str:
    """Article i: about 1,800 characters, 12 passages."""
    town = word(i, 3).capitalize()
    name = speaker(i)
    return "\n".join(
        [
            f"{town} port audit finds {word(i, 4)} crates at the {word(i, 5)} depot ({i})",
            "",
            f"Lead: On Oct. 3, 2025 in {town}, auditors reported {100 + i} {word(i, 4)} crates "
            f"stored without papers at the {word(i, 5)} depot.",
            "",
            "Key Takeaways",
            "",
            f"  • The {word(i, 6)} audit began after a complaint from the {word(i, 7)} union.",
            f"  • Customs officers sealed the {word(i, 5)} depot for {i % 9 + 2} days.",
            f"  • The port authority of {town} promised a full inventory by November.",
            "",
            "Verified Facts",
            "",
            fact(i),
            "",
            f"The crates carried labels of the {word(i, 8)} shipping line, which denied "
            "owning them.",
            "",
            f"Two {word(i, 9)} forklifts were impounded as evidence by the {town} prosecutor.",
            "",
            "Official Statements",
            "",
            f"“We will trace every {word(i, 4)} crate back to its sender, however long it takes.”",
            "",
            f"{name}, Harbour Master of {town} ({town}, Oct. 3, 2025)",
            "",
            "Unconfirmed",
            "",
            f"  • Dock workers say the {word(i, 4)} crates arrived on a night barge from "
            f"{word(i, 10).capitalize()}.",
            f"  • A second depot at {word(i, 11).capitalize()} may hold more of them.",
            "",
            "Bottom Line",
            "",
            f"The {word(i, 6)} audit has turned a paperwork dispute in {town} into a "
            "criminal inquiry.",
            "",
        ]
    )
