"""A real SMTP server for the tests: aiosmtpd, printing each message as a JSON line.

Usage: python3 smtp_sink.py PORT [none|starttls|tls CERT KEY]. With PORT 0 the
system picks a free port. Prints `READY <port>` once listening; stops when stdin
closes. With starttls, STARTTLS is required before MAIL.
"""
import asyncio
import json
import ssl
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    async def handle_DATA(self, server, session, envelope):
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        print(json.dumps(record), flush=True)
        return "250 Message accepted"


async def serve(port: int, mode: str, tls_files: list) -> None:
    # What aiosmtpd's Controller would pass; the Controller itself cannot listen
    # on port 0 (it connects to its configured port to check that it is up).
    options = {"enable_SMTPUTF8": True}
    implicit_tls = None
    if mode != "none":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls_files)
        if mode == "starttls":
            options.update(tls_context=context, require_starttls=True)
        else:
            implicit_tls = context
    handler = Sink()
    loop = asyncio.get_running_loop()
    # asyncio binds with SO_REUSEADDR on Unix, so a port that the test holds
    # (bound, not listening) can be given here.
    server = await loop.create_server(
        lambda: SMTP(handler, **options), host="127.0.0.1", port=port, ssl=implicit_tls
    )
    print("READY", server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()
    await server.wait_closed()


def main() -> None:
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "none"
    asyncio.run(serve(port, mode, sys.argv[3:5]))


if __name__ == "__main__":
    main()
