#!/usr/bin/python3
"""Local stand-in for the AWS IoT endpoints register.sh and revoke.sh use.

usage: aws_stub.py LOG PORTFILE [LIFETIME]

Listens on 127.0.0.1 on a free port, writes the port number to PORTFILE,
and appends one JSON line per request to LOG: method, path (with query),
Authorization header, the region and key id it is signed for (from the
SigV4 credential scope), and body. Answers every POST like
RegisterCACertificate, except for a region listed in the file LOG.fail
(one region a line, read at each request): that one gets a 400
InvalidRequestException, as AWS answers a refused registration. Exits
after LIFETIME seconds (default 120) so a crashed test leaves nothing
behind.
Every PUT (UpdateCertificate: PUT /certificates/<id>?newStatus=REVOKED;
UpdateCACertificate: PUT /cacertificate/<id>?newStatus=INACTIVE) gets an
empty 200, GET /certificates-by-ca/<id> an empty list.
"""
import hashlib
import http.server
import json
import os
import re
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _scope(self):
        m = re.search(r"Credential=([^/]*)/[0-9]{8}/([^/]*)/",
                      self.headers.get("Authorization", ""))
        return (m.group(1), m.group(2)) if m else ("", "")

    def _failing(self, region):
        try:
            with open(self.server.log + ".fail") as f:
                return region in f.read().split()
        except FileNotFoundError:
            return False

    def _record(self, body):
        key, region = self._scope()
        entry = {
            "method": self.command,
            "path": self.path,
            "auth": self.headers.get("Authorization", ""),
            "key": key,
            "region": region,
            "body": body.decode("utf-8", "replace"),
        }
        with open(self.server.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def _answer(self, code, obj, error=None):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self._record(body)
        region = self._scope()[1]
        if self._failing(region):
            self._answer(400, {"message": "stub: registration refused in "
                               + region}, "InvalidRequestException")
            return
        cid = hashlib.sha256(body).hexdigest()
        self._answer(200, {
            "certificateArn": "arn:aws:iot:%s:123456789012:cacert/%s"
                              % (region or "us-east-2", cid),
            "certificateId": cid,
        })

    def do_GET(self):
        self._record(b"")
        if self.path.startswith("/certificates-by-ca/"):
            self._answer(200, {"certificates": []})
        else:
            self._answer(404, {"message": "not found"})

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self._record(body)
        data = b""
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.end_headers()
        self.wfile.write(data)


def main():
    if len(sys.argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    lifetime = float(sys.argv[3]) if len(sys.argv) == 4 else 120.0
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.log = sys.argv[1]
    open(srv.log, "a").close()
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, sys.argv[2])
    threading.Timer(lifetime, srv.shutdown).start()
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
