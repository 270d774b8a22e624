"""The OpenAPI document is valid and says everything a client needs: every status, body,
header and security requirement, with readable operation ids and examples."""

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

METHODS = ("get", "put", "post", "delete", "patch")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    ]


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(spec)  # raises on any error, dangling $refs included


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    text = json.dumps(spec)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node: Any = spec
        for part in ref.split("/"):
            assert part in node, ref
            node = node[part]


def test_no_leftover_fastapi_validation_models(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert {"Problem", "FieldError", "ArticleCreate"} <= set(schemas)
    for path, method, operation in operations(spec):
        answer = operation["responses"].get("422")
        if answer:
            assert set(answer["content"]) == {"application/problem+json"}, (method, path)


def test_operation_ids_are_readable_and_unique(spec: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(spec)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", operation_id), operation_id
        assert "v1" not in operation_id
    assert {"list_articles", "create_article", "get_article", "search_articles"} <= set(ids)


def test_every_error_status_is_a_problem_and_cross_cutting_ones_are_declared(
    spec: dict[str, Any],
) -> None:
    for path, _, operation in operations(spec):
        responses = operation["responses"]
        for status, answer in responses.items():
            if status.startswith(("4", "5")):
                assert set(answer["content"]) == {"application/problem+json"}, (path, status)
            assert "X-Request-ID" in answer["headers"], (path, status)
        assert "400" in responses, path  # a NUL in the query string, on any route
        if path not in ("/healthz", "/readyz", "/metrics"):
            assert "429" in responses, path
            assert {"Retry-After", "RateLimit-Remaining"} <= set(responses["429"]["headers"])
        if path not in ("/healthz", "/metrics", "/v1/taxonomy"):
            assert "503" in responses and "Retry-After" in responses["503"]["headers"], path
        if "requestBody" in operation:
            assert {"413", "415", "422"} <= set(responses), path
        if "{" in path:
            assert "404" in responses or path.startswith(("/v1/dyads", "/v1/countries")), path


def test_create_declares_both_success_statuses_and_its_bodies(spec: dict[str, Any]) -> None:
    create = spec["paths"]["/v1/articles"]["post"]
    assert {"200", "201", "409"} <= set(create["responses"])
    for status in ("200", "201", "409"):
        assert "Location" in create["responses"][status]["headers"]
    content = create["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ArticleCreate"}
    assert len(content["application/json"]["examples"]) >= 2
    assert content["text/plain"]["example"].strip() and content["text/html"]["example"]
    bulk = spec["paths"]["/v1/articles/bulk"]["post"]["requestBody"]["content"]
    assert set(bulk) == {"application/x-ndjson", "application/jsonl"}
    lines = bulk["application/x-ndjson"]["example"].splitlines()
    assert len(lines) >= 2 and all(json.loads(line)["body"] for line in lines)


def test_list_and_read_headers_are_declared(spec: dict[str, Any]) -> None:
    listed = spec["paths"]["/v1/articles"]["get"]["responses"]["200"]["headers"]
    assert {"ETag", "Link", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
        listed
    )
    assert set(spec["components"]["headers"]) >= {"ETag", "Link", "Location", "Retry-After"}


def test_writes_declare_their_security_and_reads_are_open(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header"}
    assert schemes["apiKey"]["name"] == "X-API-Key"
    for path, method, operation in operations(spec):
        writes = method != "get" and path != "/v1/extract"
        if writes:
            assert operation["security"] == [{"bearer": ["write"]}, {"apiKey": ["write"]}], path
            assert {"401", "403"} <= set(operation["responses"]), path
        else:
            assert "security" not in operation, path


def test_reads_declare_security_when_the_server_requires_a_read_key(db) -> None:  # type: ignore[no-untyped-def]
    settings, engine, factory = db
    app = create_app(
        Settings(database_url=settings.database_url, require_read_key=True), engine=engine
    )
    app.state.session_factory = factory
    with TestClient(app) as client:
        spec = client.get("/openapi.json").json()
    listed = spec["paths"]["/v1/articles"]["get"]
    assert listed["security"] == [{"bearer": ["read"]}, {"apiKey": ["read"]}]
    assert {"401", "403"} <= set(listed["responses"])
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_problem_schema_has_an_example_and_field_errors(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["examples"][0]["errors"][0]["in"] == "query"
    assert set(spec["components"]["schemas"]["FieldError"]["properties"]) == {
        "field",
        "in",
        "message",
    }
