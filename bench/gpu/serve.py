#!/usr/bin/env python3
"""Serves a folder (the built app plus bench/gpu's page, see device.sh) cross-origin isolated, like scripts/serve.mjs,
for machines without Node, and takes what the benchmark page posts: /log (printed), /result (result.json),
/file?name=NAME (saved), /done (the server stops).

    python3 serve.py ROOT OUT_DIR [--port 8123] [--timeout 600]
"""
import argparse
import http.server
import os
import sys
import threading
import time
import urllib.parse

TYPES = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
         '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm',
         '.json': 'application/json', '.onnx': 'application/octet-stream', '.svg': 'image/svg+xml'}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('root')
    parser.add_argument('out')
    parser.add_argument('--port', type=int, default=8123)
    parser.add_argument('--timeout', type=float, default=600)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    done = threading.Event()

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

        def __init__(self, *a, **k):
            super().__init__(*a, directory=args.root, **k)

        def end_headers(self):
            self.send_header('Cross-Origin-Opener-Policy', 'same-origin')
            self.send_header('Cross-Origin-Embedder-Policy', 'require-corp')
            self.send_header('Cross-Origin-Resource-Policy', 'same-origin')
            self.send_header('Cache-Control', 'no-cache')
            super().end_headers()

        def log_message(self, *a):
            pass

        def do_POST(self):
            url = urllib.parse.urlparse(self.path)
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
            if url.path == '/log':
                print('page:', body.decode(errors='replace'), flush=True)
            elif url.path == '/result':
                with open(os.path.join(args.out, 'result.json'), 'wb') as f:
                    f.write(body)
            elif url.path == '/file':
                name = os.path.basename(urllib.parse.parse_qs(url.query)['name'][0])
                with open(os.path.join(args.out, name), 'wb') as f:
                    f.write(body)
            elif url.path == '/done':
                done.set()
            self.send_response(204)
            self.end_headers()

    server = http.server.ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    deadline = time.time() + args.timeout
    while not done.is_set() and time.time() < deadline:
        done.wait(1)
    server.shutdown()
    print('serve: done' if done.is_set() else f'serve: gave up after {args.timeout:.0f} s', flush=True)
    sys.exit(0 if done.is_set() else 1)


if __name__ == '__main__':
    main()
