#!/usr/bin/env python3
"""Serves a folder (dist/) over HTTP on loopback the way a deployment of Trailscope must serve it:
static files with the right MIME types and the security headers the page relies on. Python's
standard library only.

    scripts/static-server.py [--bind 127.0.0.1] [--directory dist] [PORT]

Every response carries:

- Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, which
  make the page cross-origin isolated (`crossOriginIsolated`), so that it may share a
  SharedArrayBuffer with the engine worker: "Cancel query" sets a flag the worker reads while it
  is busy in a query (ARCHITECTURE.md, "Cancelling a query").
- Cross-Origin-Resource-Policy: same-origin: no other site may embed these files.
- X-Frame-Options: DENY and a Content-Security-Policy of `frame-ancestors 'none'`: the page may
  not be framed (clickjacking). A `<meta>` CSP cannot say frame-ancestors, so it is a header;
  the rest of the policy stays in index.html's meta tag, which also holds when the files are
  served by something else. (Trusted Types are not required here: see ARCHITECTURE.md, "Serving".)
- X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.

Only GET and HEAD; paths are resolved inside the folder by http.server (no `..` escapes); folders
are never listed.
"""

import argparse
import http.server
import os
import sys

# The headers of every response (see the module docs).
SECURITY_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# Types by extension, set here rather than taken from the system's mime.types, which differs
# between machines (some have no .wasm, or call .js application/javascript). With nosniff, a
# wrong type is a broken page: WebAssembly.instantiateStreaming wants application/wasm, module
# scripts a JavaScript type.
MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
    ".map": "application/json",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    # Unknown extensions are bytes, never sniffed into something runnable.
    extensions_map = {"": "application/octet-stream", **MIME_TYPES}

    def end_headers(self):
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        # The files change with every build (dist/ is rebuilt in place): always revalidate.
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def list_directory(self, path):
        # No listings: only the files the app names are served.
        self.send_error(404, "File not found")
        return None

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), format % args))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--directory", default="dist", help="folder to serve (default dist)")
    parser.add_argument("port", nargs="?", type=int, default=8080, help="port (default 8080)")
    args = parser.parse_args()
    directory = os.path.abspath(args.directory)
    if not os.path.isdir(directory):
        sys.exit(f"static-server: {directory} is not a folder")

    def handler(*a, **kw):
        return Handler(*a, directory=directory, **kw)

    with http.server.ThreadingHTTPServer((args.bind, args.port), handler) as server:
        host, port = server.server_address[:2]
        print(f"static-server: serving {directory} on http://{host}:{port}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
