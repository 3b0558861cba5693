"""A real SMTP server for the tests: aiosmtpd, printing each message as a JSON line.

Usage: python3 smtp_sink.py PORT [none|starttls|tls CERT KEY]. Prints READY once
listening; stops when stdin closes. With starttls, STARTTLS is required before MAIL.
"""
import json
import ssl
import sys

from aiosmtpd.controller import Controller


class Sink:
    async def handle_DATA(self, server, session, envelope):
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        print(json.dumps(record), flush=True)
        return "250 Message accepted"


def main() -> None:
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "none"
    options = {}
    if mode != "none":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        if mode == "starttls":
            options = {"tls_context": context, "require_starttls": True}
        else:
            options = {"ssl_context": context}
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("READY", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
