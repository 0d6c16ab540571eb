"""Why a publication did not happen (messages in French: they are recorded on the
consultation, as ``publication_error``, for the moderators to read)."""

from __future__ import annotations


class PublicationRefused(Exception):
    """The policy or the consultation's state forbids this publication; nothing written."""


class PublicationFailed(Exception):
    """A publication stopped on an error; the previous publication is left as it was."""
