"""What a reader is told of a date's certainty (@cert): the one table the site and the PDFs both use."""

from __future__ import annotations

# @cert -> the word shown beside the date; a certain date (high, or no @cert) shows none.
CERTAINTY = {"low": "uncertain", "medium": "probable", "unknown": "uncertain"}


def certainty_label(cert: str | None) -> str:
    """The word for a date's @cert: 'uncertain', 'probable', or '' when the date is certain."""
    return CERTAINTY.get(cert or "", "")


def is_uncertain(cert: str | None) -> bool:
    """Whether a date is given with any doubt (it is then marked, as with '(?)')."""
    return bool(certainty_label(cert))
