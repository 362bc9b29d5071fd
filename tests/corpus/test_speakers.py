"""One identity per person (corpus.speakers): the name rule and the registry, on invented
names."""

from __future__ import annotations

import pytest

from corpus.speakers import SpeakerRegistry, name_words, same_person, skeleton


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Berg", "Ana Berg"),  # family name alone
        ("Ana Berg", "Ana M. Berg"),  # a middle initial
        ("A. Berg", "Ana Berg"),  # an initial for the given name
        ("Dr. Inga Sollis", "Inga Sollis"),  # honorific
        ("President Aron Velde", "Velde"),  # a title written into the name
        ("Mr Velde", "Aron Velde"),
        ("Velde's", "Aron Velde"),  # possessive
        ("Horobetsky", "Dmytro Horobetskyy"),  # transliterations
        ("Horobetskiy", "Horobetsky"),
        ("Mohamad Qasimi", "Mohammad Kasimi"),
        ("Joon-ho Park", "Joon Ho Park"),  # hyphenated given names
        ("Maria de la Cruz", "de la Cruz"),  # particles
        ("Cruz", "Maria de la Cruz"),
        ("Rúben Taveira", "Ruben Taveira"),  # accents
        ("the Directorate", "Directorate"),  # an organisation
        ("Fenwick", "Fenwick Bank"),
        ("VELDE", "velde"),
    ],
)
def test_same_person(a, b):
    assert same_person(a, b)
    assert same_person(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Anna Berg", "Tom Berg"),  # a shared family name is no evidence
        ("Marta Quillon", "Marta Berg"),
        ("Berg", "Borg"),
        ("Aron Velde", "Aron Vold"),
        ("", ""),
        ("", "Berg"),
        ("Mr", "Berg"),
    ],
)
def test_not_same_person(a, b):
    assert not same_person(a, b)


def test_skeletons_of_transliteration_variants_agree():
    assert skeleton("Zhukovskyy") == skeleton("Zhukovskiy") == skeleton("Zhukovsky")
    assert skeleton("Khalid") == skeleton("Halid")
    assert name_words("The Harbour Authority of Vell") == [
        skeleton(w) for w in ("Harbour", "Authority", "Vell")
    ]


def test_the_registry_merges_every_form_of_one_person_and_keeps_their_roles():
    registry = SpeakerRegistry(
        [("Horobetsky", None), ("Dmytro Horobetskyy", "Ostravian President"),
         ("President Horobetskiy", "head of state"), ("Fenwick Bank", None)]
    )  # fmt: skip
    assert len(registry) == 2
    person = registry.lookup("Horobetskiy")
    assert person is registry.lookup("Dmytro Horobetsky") is registry.lookup("Horobetsky")
    assert person.canonical == "Dmytro Horobetskyy"
    assert person.roles == ["Ostravian President", "head of state"]
    assert registry.canonical("horobetsky") == "Dmytro Horobetskyy"
    assert registry.same_person("Horobetsky", "Dmytro Horobetskiy")
    assert not registry.same_person("Horobetsky", "Fenwick Bank")
    assert registry.lookup("Sollis") is None


def test_two_people_sharing_a_family_name_are_not_merged():
    registry = SpeakerRegistry([("Anna Berg", "mayor"), ("Tom Berg", "her brother")])
    assert len(registry) == 2
    assert registry.lookup("Berg") is None  # which of them, the corpus cannot say
    assert registry.canonical("Berg") is None
    assert not registry.same_person("Berg", "Anna Berg")
    assert registry.same_person("Anna Berg", "A. Berg")
    assert registry.add("Berg") is None  # recorded as ambiguous, not guessed
    assert registry.lookup("Tom Berg").forms == {"Tom Berg"}


def test_a_short_form_seen_first_joins_the_full_name_that_comes_later():
    registry = SpeakerRegistry()
    assert registry.add("Velde", "the former president") is not None
    registry.add("Aron Velde")
    (only,) = registry.identities
    assert only.canonical == "Aron Velde"
    assert only.forms == {"Velde", "Aron Velde"}
    assert only.roles == ["the former president"]
