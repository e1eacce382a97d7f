"""Open311 GeoReport v2 for city platforms (JSON only): services, requests (list, one, create with an API key)."""

from flask import Blueprint

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
