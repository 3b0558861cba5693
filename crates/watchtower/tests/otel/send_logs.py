#!/usr/bin/env python3
"""Sends the same five logs through the OpenTelemetry Python SDK to a Watchtower.

  send_logs.py protobuf URL PASSWORD SERVICE   the SDK's OTLP/HTTP exporter (protobuf, gzip)
  send_logs.py json URL PASSWORD SERVICE       the SDK's records as OTLP JSON, posted as the
                                               OTLP specification writes them; prints the answer

The logs go through Python's logging module and the SDK's LoggingHandler, as an
application instrumented with OpenTelemetry sends them.
"""
import base64
import json
import logging
import sys
import urllib.request

from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource


def emit(provider):
    handler = LoggingHandler(level=logging.DEBUG, logger_provider=provider)
    logger = logging.getLogger("shop")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    logger.debug("cache warmed")
    logger.info("order placed", extra={"order.id": 42, "customer": "c-9"})
    logger.warning("stock low", extra={"sku": "A-1", "left": 2.5})
    logger.error("payment failed", extra={"retry": True})
    logger.critical("ledger out of balance")
    provider.force_flush()
    logger.removeHandler(handler)


def hex_ids(value):
    """OTLP JSON writes trace and span ids in hex, where protobuf's JSON has base64."""
    if isinstance(value, dict):
        return {key: (base64.b64decode(item).hex() if key in ("traceId", "spanId") else hex_ids(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [hex_ids(item) for item in value]
    return value


def main():
    mode, url, password, service = sys.argv[1:5]
    resource = Resource.create({"service.name": service, "host.name": "web-1", "service.version": "1.4.2"})
    provider = LoggerProvider(resource=resource)
    if mode == "protobuf":
        exporter = OTLPLogExporter(endpoint=f"{url}/v1/logs", headers={"password": password},
                                   compression=Compression.Gzip, timeout=10)
        provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
        emit(provider)
        provider.shutdown()
        return
    memory = InMemoryLogRecordExporter()
    provider.add_log_record_processor(SimpleLogRecordProcessor(memory))
    emit(provider)
    request = encode_logs(memory.get_finished_logs())
    body = json.dumps(hex_ids(MessageToDict(request, use_integers_for_enums=True))).encode()
    answer = urllib.request.urlopen(urllib.request.Request(
        f"{url}/v1/logs", data=body, method="POST",
        headers={"password": password, "content-type": "application/json"}), timeout=10)
    print(answer.status, answer.headers.get("content-type"), answer.read().decode())


if __name__ == "__main__":
    main()
