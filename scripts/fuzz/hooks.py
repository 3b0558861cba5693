"""Schemathesis hooks for Watchtower's API: how an NDJSON body is written.

OpenAPI has no schema for a sequence of JSON texts, so the document states the
`application/x-ndjson` body of `POST /add-events` as the array of events it carries.
This serializer writes such an array as NDJSON: one event object a line. A value
that is not an array has no NDJSON form as events; it is sent as a body the
server must refuse (a NUL byte), so that a negative case stays negative.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, list):
        lines = "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in value)
        return lines.encode("utf-8")
    return b"\x00"


@schemathesis.deserializer("application/x-ndjson")
def ndjson_response(ctx, response):
    return [json.loads(line) for line in response.content.decode("utf-8").splitlines() if line]
