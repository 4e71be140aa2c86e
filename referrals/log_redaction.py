"""Keeping organisations' link tokens out of the logs.

A feedback link works for whoever holds it, so its token must not be written anywhere a log
reader could pick it up. Django logs the path of every 4xx/5xx response (`django.request`),
a refused CSRF check logs it too (`django.security.csrf`) and runserver logs every request
line (`django.server`); this filter replaces the token in all of them with a marker."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"(/feedback/)(?!thanks/)[^/\s?\"']+")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactFeedbackTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


LOGGERS = ("django.request", "django.server", "django.security.csrf")


def install() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFeedbackTokens) for f in logger.filters):
            logger.addFilter(RedactFeedbackTokens())
