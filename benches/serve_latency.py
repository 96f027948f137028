#!/usr/bin/env python3
"""Save-to-served latency of `dafu serve`: a benchmark, not a test.

Starts `target/release/dafu serve --root SITE --port 0`, then edits one reply
after another (appending a unique marker to its body, as an editor saving the
file would) and polls the reply's page until the marker is served. Prints the
median and the maximum time from the write to the page, over --edits edits.

    cargo build --release
    python3 benches/gen_corpus.py --n 10000 --out /tmp/serve10k
    python3 benches/serve_latency.py --root /tmp/serve10k

The site's files are restored when the benchmark ends. The goal is a median
of 100 ms or less at 10,000 replies; the watcher's debounce (20 ms) is part
of what is measured.
"""

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the site to serve")
    parser.add_argument("--binary", default=os.path.join(REPO, "target/release/dafu"))
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per edit")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    replies = sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(os.path.join(args.root, "content"))
        for name in names
        if name.endswith(".md")
    )
    if not replies:
        sys.exit(f"no replies under {args.root}/content")
    chosen = random.Random(args.seed).sample(replies, min(args.edits, len(replies)))
    originals = {path: open(path, "rb").read() for path in chosen}

    server = subprocess.Popen(
        [args.binary, "--root", args.root, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    # Read stderr from the start, so that the server never blocks on it.
    threading.Thread(target=drain, args=(server.stderr, []), daemon=True).start()
    try:
        base = wait_for_address(server, lines)
        for line in lines:
            print(f"# {line.strip()}", flush=True)
        # The server prints one line per rebuild; read them so it never blocks.
        threading.Thread(target=drain, args=(server.stdout, lines), daemon=True).start()
        latencies = []
        for number, path in enumerate(chosen, 1):
            relative = os.path.relpath(path, os.path.join(args.root, "content"))
            url = base + urllib.parse.quote(relative[: -len(".md")].replace(os.sep, "/")) + "/"
            marker = f"serve-latency-{os.getpid()}-{number}-{time.time_ns()}"
            started = time.perf_counter()
            with open(path, "ab") as file:
                file.write(f"\n{marker}\n".encode())
            while marker not in fetch(url):
                if time.perf_counter() - started > args.timeout:
                    sys.exit(f"{relative}: the edit did not show within {args.timeout} s")
                time.sleep(0.002)
            latencies.append((time.perf_counter() - started) * 1000)
            print(f"{relative}: {latencies[-1]:.0f} ms", flush=True)
            # Let the rebuild's line reach the log before the next edit.
            time.sleep(0.15)
        rebuilds = [line.strip() for line in lines[2:] if "→" in line]
        print(f"# server: {rebuilds[-1] if rebuilds else '(no rebuild line)'}")
        print(
            f"{len(latencies)} edits: median {statistics.median(latencies):.0f} ms, "
            f"max {max(latencies):.0f} ms (save to served page)"
        )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
        for path, text in originals.items():
            with open(path, "wb") as file:
                file.write(text)


def wait_for_address(server, lines):
    """The base URL from `serving … at http://127.0.0.1:PORT/…`."""
    for line in server.stdout:
        lines.append(line)
        found = re.search(r"(http://\S+/)", line)
        if found:
            return found.group(1)
    sys.exit("the server stopped before printing its address: " + "".join(lines))


def drain(stream, into):
    for line in stream:
        into.append(line)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8", "replace")


if __name__ == "__main__":
    main()
