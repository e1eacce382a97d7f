"""Rider pages of stations: near me (a list first, a map when licensed tiles are configured) and a station's page."""

from flask import Blueprint

bp = Blueprint("stations", __name__, url_prefix="/stations")
