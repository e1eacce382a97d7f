"""JSON API v1 for merchant tills and city platforms (floor 5): tokens, the till's voucher look-up and
confirmation, the platforms' tasks, stations and report figures, and the OpenAPI document."""
