"""schemathesis over our own OpenAPI document: every operation, a bounded number of examples;
no 5xx and no response that breaks its declared schema."""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.factories import create

EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))


@schemathesis.serializer("application/x-ndjson")
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
