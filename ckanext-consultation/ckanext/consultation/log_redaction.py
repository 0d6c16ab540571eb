"""Keeps answers and respondent keys out of CKAN's own logs.

CKAN's action API logs the request body it received (at DEBUG, and with some errors at
INFO). For ``consultation_answers_import`` and ``consultation_answer_erase`` that body
holds answers and respondent keys: this filter replaces them before any handler sees
the record, whatever the log level configured.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

__all__ = ["RedactAnswers", "install"]

# Loggers that print request bodies.
LOGGERS = ("ckan.views.api",)
_HIDDEN = "<not logged>"


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping) and ("answers" in value or "respondent_key" in value):
        redacted = dict(value)
        if "answers" in redacted:
            answers = redacted["answers"]
            count = len(answers) if hasattr(answers, "__len__") else "?"
            redacted["answers"] = f"<{count} answers not logged>"
        if "respondent_key" in redacted:
            redacted["respondent_key"] = _HIDDEN
        return redacted
    if isinstance(value, tuple):
        return tuple(_redact(item) for item in value)
    return value


class RedactAnswers(logging.Filter):
    """Rewrites the arguments of a log record that carry answers or respondent keys."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = _redact(record.args)
        return True


def install() -> None:
    """Attach the filter to the loggers that print request bodies (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactAnswers) for f in logger.filters):
            logger.addFilter(RedactAnswers())
