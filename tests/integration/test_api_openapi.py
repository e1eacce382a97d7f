"""The OpenAPI document at /api/v1/openapi.json is valid OpenAPI 3, generated from the code, lists every API
route with its method, documents the bearer token, and every error status it lists has the error body."""

import re

from openapi_spec_validator import validate

METHODS = {"get", "post", "put", "patch", "delete"}


def document(client) -> dict:
    response = client.http.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3(client):
    spec = document(client)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def test_the_document_lists_every_api_route_and_method(client, app):
    spec = document(client)
    listed = {(method.upper(), path) for path, item in spec["paths"].items() for method in set(item) & METHODS}
    routes = {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and listed == routes


def test_every_operation_needs_a_token_and_documents_401_403_429_and_422(client):
    for path, item in document(client)["paths"].items():
        for method in set(item) & METHODS:
            operation = item[method]
            assert operation["security"] == [{"bearerAuth": []}], (method, path)
            assert {"200", "401", "403", "422", "429"} <= set(operation["responses"]), (method, path)


def test_the_error_responses_have_a_code_and_a_message(client):
    spec = document(client)
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}
    assert spec["components"]["responses"]["NOT_FOUND"]["content"]["application/json"]["schema"] == \
        {"$ref": "#/components/schemas/Error"}


def test_429_documents_retry_after(client):
    spec = document(client)
    assert spec["paths"]["/api/v1/till/confirmations"]["post"]["responses"]["429"] == \
        {"$ref": "#/components/responses/RATE_LIMITED"}
    assert spec["components"]["responses"]["RATE_LIMITED"]["headers"]["Retry-After"]["required"] is True
