#!/usr/bin/env python3
"""Writes one OTLP/HTTP logs request in protobuf: RECORDS log records (default 1,000)
of 10 services, mixed severities, log-like bodies and three attributes each, as an
instrumented application's SDK batches them.

  otlp_body.py FILE [RECORDS]

Needs the opentelemetry-proto package (pulled in by opentelemetry-exporter-otlp-proto-http).
"""
import random
import sys
import time

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import ResourceLogs, ScopeLogs, LogRecord
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

path = sys.argv[1]
records = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
rng = random.Random(7)
severities = [5, 9, 9, 9, 13, 17, 21]
now = time.time_ns()
request = ExportLogsServiceRequest()
services = 10
for s in range(services):
    resource = Resource(attributes=[
        KeyValue(key="service.name", value=AnyValue(string_value=f"otel-svc-{s}")),
        KeyValue(key="host.name", value=AnyValue(string_value=f"web-{s % 4}")),
    ])
    scope = ScopeLogs()
    for i in range(records // services):
        scope.log_records.append(LogRecord(
            time_unix_nano=now + i, severity_number=rng.choice(severities),
            body=AnyValue(string_value=f"GET /api/v1/items/{rng.randrange(10**6)} served in {rng.randrange(900)}ms"),
            attributes=[
                KeyValue(key="http.status_code", value=AnyValue(int_value=rng.choice((200, 200, 404, 500)))),
                KeyValue(key="user.id", value=AnyValue(string_value=f"u{rng.randrange(10**5)}")),
                KeyValue(key="cache.hit", value=AnyValue(bool_value=rng.random() < 0.5)),
            ]))
    request.resource_logs.append(ResourceLogs(resource=resource, scope_logs=[scope]))
with open(path, "wb") as f:
    f.write(request.SerializeToString())
