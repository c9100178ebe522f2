"""A real SMTP server for the email tests: accepts every message and stores
it as a JSON summary (envelope, decoded subject and bodies) in a folder;
refuses those to @refused.example for good and to @busy.example for now.

    python3 smtp_sink.py PORT FOLDER

PORT 0 lets the system choose a free one (no other process can take it
between choosing and listening). Prints "ready PORT" once it listens. Uses the standard library's smtpd
(Python 3.11 and earlier), so nothing needs installing.
"""

import asyncore
import email
import email.header
import email.policy
import itertools
import json
import os
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import smtpd  # noqa: E402

counter = itertools.count(1)


class Sink(smtpd.SMTPServer):
    def __init__(self, address, folder):
        super().__init__(address, None, decode_data=False)
        self.folder = folder

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        # Addresses at these domains get a mail server's refusals: for good
        # (5xx) or for now (4xx).
        if any(r.endswith("@refused.example") for r in rcpttos):
            return "550 5.1.1 mailbox unavailable"
        if any(r.endswith("@busy.example") for r in rcpttos):
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(data, policy=email.policy.default)
        bodies = {}
        for part in message.walk():
            if part.get_content_maintype() == "text":
                bodies[part.get_content_subtype()] = part.get_content()
        summary = {
            "from": mailfrom,
            "to": rcpttos,
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "text": bodies.get("plain", ""),
            "html": bodies.get("html", ""),
        }
        n = next(counter)
        partial = os.path.join(self.folder, f".{n:06}.partial")
        with open(partial, "w", encoding="utf-8") as f:
            json.dump(summary, f)
        os.rename(partial, os.path.join(self.folder, f"{n:06}.json"))


if __name__ == "__main__":
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    sink = Sink(("127.0.0.1", port), folder)
    print("ready", sink.socket.getsockname()[1], flush=True)
    asyncore.loop()
