"""The flask-smorest blueprint of API v1's token routes, with a JSON reader that refuses what it cannot read.

The standard library's JSON reader raises ``RecursionError`` on a body nested a thousand levels deep
(``[[[[…``) and ``ValueError`` on an integer of more than 4,300 digits; webargs only turns
``JSONDecodeError`` into its 400, so either would have been a 500. :class:`ApiBlueprint` reads bodies with
:class:`ReadableJsonParser`, which makes both a ``JSONDecodeError``: the caller gets 400 ``bad_request``.
"""

import json

import flask
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser


class ReadableJsonParser(FlaskParser):
    """webargs' Flask parser whose JSON reading raises only ``JSONDecodeError`` (answered 400) for a body it
    cannot read: too deeply nested, a number too long to convert, bytes that are not UTF-8."""

    def _raw_load_json(self, req: flask.Request):
        """The request's JSON body (``missing`` when it is not JSON); raises ``json.JSONDecodeError`` for any
        body that cannot be read."""
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as error:  # too deep; too many digits (UnicodeDecodeError is a ValueError)
            # a non-empty document: webargs reads an empty one as "no body" (then 422 for the missing fields)
            raise json.JSONDecodeError(f"Unreadable JSON body ({type(error).__name__})", "<body>", 0) from None


class ApiBlueprint(Blueprint):
    """flask-smorest's ``Blueprint`` reading arguments with :class:`ReadableJsonParser`."""

    ARGUMENTS_PARSER = ReadableJsonParser()
