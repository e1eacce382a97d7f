"""Coordinator pages of stations: their organisation's stations, create, edit, hours, deactivate, import/export."""

from flask import Blueprint

bp = Blueprint("stations_coordinate", __name__, url_prefix="/coordinate/stations")
