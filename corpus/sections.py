"""The vocabulary of briefing headings and site furniture."""

from __future__ import annotations

import re

from corpus.models import Status

# Heading text (lowercase, punctuation folded) → section key. Synonyms seen on real sites.
HEADINGS = {
    "lead": "lead",
    "summary": "lead",
    "key takeaways": "takeaways",
    "takeaways": "takeaways",
    "key points": "takeaways",
    "highlights": "takeaways",
    "at a glance": "takeaways",
    "verified facts": "verified",
    "verified": "verified",
    "confirmed": "verified",
    "confirmed facts": "verified",
    "what we know": "verified",
    "facts": "verified",
    "context impact": "context",
    "context and impact": "context",
    "context": "context",
    "impact": "context",
    "background": "context",
    "analysis": "context",
    "why it matters": "context",
    "official statements": "statements",
    "statements": "statements",
    "on the record": "statements",
    "what they said": "statements",
    "quotes": "statements",
    "unconfirmed": "unconfirmed",
    "unverified": "unconfirmed",
    "unconfirmed reports": "unconfirmed",
    "what we dont know": "unconfirmed",
    "what we do not know": "unconfirmed",
    "disputed": "unconfirmed",
    "disputed claims": "unconfirmed",
    "bottom line": "bottom_line",
    "the bottom line": "bottom_line",
    "conclusion": "bottom_line",
    "sources": "sources",
    "source": "sources",
    "references": "sources",
}

SECTION_STATUS = {
    "lead": Status.CONTEXT,
    "takeaways": Status.CONTEXT,
    "verified": Status.VERIFIED,
    "context": Status.CONTEXT,
    "statements": Status.STATEMENT,
    "unconfirmed": Status.UNCONFIRMED,
    "bottom_line": Status.CONTEXT,
}

SECTION_NAMES = {
    "lead": "Lead",
    "takeaways": "Key Takeaways",
    "verified": "Verified Facts",
    "context": "Context & Impact",
    "statements": "Official Statements",
    "unconfirmed": "Unconfirmed",
    "bottom_line": "Bottom Line",
    "body": "Body",
}

# Sections whose presence marks a text as a briefing rather than plain prose.
BRIEFING_MARKERS = {"takeaways", "verified", "statements", "unconfirmed", "bottom_line"}

_FURNITURE = re.compile(
    r"^(leave a (comment|reply)|share( this( article| story)?)?|related( articles| posts)?|"
    r"comments?|subscribe.*|read more|advertisement|cancel reply|click here.*|sign up.*|"
    r"follow us.*|tags?:.*|posted in.*|print|email|tweet|like this|like loading\W*|loading\W*)$",
    re.IGNORECASE,
)


def heading_key(line: str) -> str | None:
    """The section a line announces when it is a heading on its own, else None."""
    stripped = line.strip().lstrip("#").strip().strip("*_").strip()
    if not stripped or len(stripped) > 40 or stripped.endswith((".", "?", "!")):
        return None
    folded = re.sub(r"[^\w\s]", "", stripped.rstrip(":").lower().replace("’", "").replace("'", ""))
    return HEADINGS.get(" ".join(folded.split()))


# A line of links alone ("[Book here](https://…)", a bare address) points elsewhere.
_LINKS_ONLY = re.compile(r"(?:\[[^\]\n]{1,80}\]\([^)\s]+\)[\s.,;|·•-]*)+|<?https?://\S+>?")


def is_furniture(line: str) -> bool:
    """Site furniture such as "Leave a Comment" or a line of links alone, never content."""
    bare = line.strip().strip("*_#").strip().rstrip(":").strip()
    return bool(_FURNITURE.match(bare) or _LINKS_ONLY.fullmatch(bare))
