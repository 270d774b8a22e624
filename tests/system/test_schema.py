"""schemathesis over our own OpenAPI document: every operation, a bounded number of examples;
no 5xx and no response that breaks its declared schema."""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import create

EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))


@schemathesis.serializer("application/x-ndjson", "application/jsonl")
def _ndjson(ctx, value):  # type: ignore[no-untyped-def]
    return (
        value.encode("utf-8", "surrogatepass")
        if isinstance(value, str)
        else bytes(str(value), "utf-8")
    )


def test_every_operation(app, client, write_key: str) -> None:  # type: ignore[no-untyped-def]
    create(client, 1)  # something to find, fetch, patch and delete
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {write_key}"}
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tested.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        check()
    assert len(tested) >= 20, tested


STRICT = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_every_documented_example_is_accepted(app, client, write_key: str) -> None:  # type: ignore[no-untyped-def]
    """The examples phase: each request example in the document is stored or answered, with a
    declared status, content type and schema."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {write_key}"}
    statuses: dict[str, list[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for strategy in operation.get_strategies_from_examples():

            @given(case=strategy)
            @settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
            def check(case) -> None:  # type: ignore[no-untyped-def]
                response = case.call_and_validate(headers=headers, checks=STRICT)
                label = f"{case.operation.label} {case.media_type or ''}".strip()
                statuses.setdefault(label, []).append(response.status_code)

            check()
    created = {label: codes for label, codes in statuses.items() if "POST /v1/articles" in label}
    assert len(created) >= 5, statuses  # JSON, text/plain and HTML; bulk in both media types
    for label, codes in created.items():  # the example itself comes first
        assert codes[0] in (200, 201), (label, codes)  # an example is a valid request


def test_every_operation_answers_only_what_it_declares(app, client, write_key: str) -> None:  # type: ignore[no-untyped-def]
    """Valid and invalid requests alike get a declared status, with its declared media type
    and schema (errors included: every Problem is checked)."""
    create(client, 1)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {write_key}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=max(2, EXAMPLES_PER_OPERATION // 3),
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:  # type: ignore[no-untyped-def]
                case.call_and_validate(headers=headers, checks=STRICT)

            try:
                check()
            except Unsatisfiable:  # nothing to make invalid: no parameters and no body
                assert mode is GenerationMode.NEGATIVE, operation.label
