"""A partner's webhook receiver for the webhook tests, which checks each
delivery with an implementation of Standard Webhooks that is not the
portal's: the `standardwebhooks` package of PyPI (scripts/setup.sh puts it
in tools/python).

    python3 webhook_receiver.py PORT FOLDER FAIL_FIRST

The endpoint's secret is read from FOLDER/secret at each delivery (the test
writes it once the endpoint is registered). Answers 500 to the first FAIL_FIRST deliveries (to make the portal retry),
then 204 to each whose signature verifies (400 otherwise), and stores each
verified one as FOLDER/N.json: its webhook-id, its payload and the time it
arrived. PORT 0 lets the system choose; prints "ready PORT" once listening.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

port, folder, fail_first = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
lock = threading.Lock()
seen = {"requests": 0, "stored": 0}


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        with lock:
            seen["requests"] += 1
            n = seen["requests"]
        if n <= fail_first:
            self.send_response(500)
            self.end_headers()
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            with open(os.path.join(folder, "secret")) as f:
                payload = Webhook(f.read().strip()).verify(body, headers)
        except Exception as error:  # a bad signature or timestamp
            sys.stderr.write(f"refused: {error}\n")
            self.send_response(400)
            self.end_headers()
            return
        with lock:
            seen["stored"] += 1
            stored = seen["stored"]
        record = {"id": headers["webhook-id"], "payload": payload, "arrived": time.time(), "attempt_request": n}
        path = os.path.join(folder, f"{stored:04}.json")
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
print(f"ready {server.server_address[1]}", flush=True)
server.serve_forever()
