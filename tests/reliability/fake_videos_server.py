"""A local stand-in for an OpenAI-protocol video API, for crash and resume tests.

It runs as its own process on 127.0.0.1 and counts what it receives, so a test can kill
the vidgen process at any moment and then check that exactly one submit reached the
server. Nothing here talks to the network beyond loopback.

    python fake_videos_server.py --port-file PORT [--polls-to-finish 6] [--video-bytes N]
        [--chunk 65536] [--chunk-delay 0.02] [--cut-first-download-after N]
        [--drop-first-submit]

Endpoints: POST /v1/videos, GET /v1/videos, GET /v1/videos/{id},
GET /v1/videos/{id}/content (honours ``Range: bytes=N-``), GET /_stats.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RANGE = re.compile(r"^bytes=(\d+)-$")


def video_bytes(video_id: str, size: int) -> bytes:
    """The deterministic 'video' of a job (tests recompute it to check the file)."""
    seed = hashlib.sha256(video_id.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


class State:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lock = threading.Lock()
        self.videos: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.submits = 0
        self.ranges: list[str] = []
        self.content_requests = 0
        self.bytes_sent = 0
        self.cut_done = False
        self.drop_done = False


class Handler(BaseHTTPRequestHandler):
    server_version = "fake-videos/1"
    state: State

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{time.monotonic_ns()}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _video(self, video_id: str) -> dict[str, Any]:
        state = self.state
        video = dict(state.videos[video_id])
        polls = state.polls.get(video_id, 0)
        finish = state.args.polls_to_finish
        if polls >= finish:
            video.update(
                status="completed",
                progress=100,
                completed_at=int(time.time()),
                expires_at=video["created_at"] + 86400,
            )
        elif polls > 0:
            video.update(status="in_progress", progress=int(100 * polls / finish))
        return video

    def do_POST(self) -> None:
        state = self.state
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/v1/videos":
            self._json(404, {"error": {"message": "no such path", "code": "not_found"}})
            return
        with state.lock:
            state.submits += 1
            video_id = f"video_{state.submits:04d}"
            state.videos[video_id] = {
                "id": video_id,
                "object": "video",
                "model": body.get("model"),
                "status": "queued",
                "progress": 0,
                "created_at": int(time.time()),
                "size": body.get("size"),
                "seconds": body.get("seconds"),
                "prompt": body.get("prompt"),
            }
            drop = state.args.drop_first_submit and not state.drop_done
            state.drop_done = state.drop_done or drop
        if drop:
            # The job exists, but the answer never arrives: an ambiguous submit.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self._json(200, state.videos[video_id])

    def do_GET(self) -> None:
        state = self.state
        path = self.path.split("?", 1)[0]
        if path == "/_stats":
            with state.lock:
                self._json(
                    200,
                    {
                        "submits": state.submits,
                        "polls": sum(state.polls.values()),
                        "ranges": state.ranges,
                        "content_requests": state.content_requests,
                        "bytes_sent": state.bytes_sent,
                    },
                )
            return
        if path == "/v1/videos":
            with state.lock:
                data = [self._video(v) for v in sorted(state.videos, reverse=True)]
            self._json(
                200,
                {
                    "object": "list",
                    "data": data,
                    "has_more": False,
                    "first_id": data[0]["id"] if data else None,
                    "last_id": data[-1]["id"] if data else None,
                },
            )
            return
        match = re.match(r"^/v1/videos/([^/]+)(/content)?$", path)
        if not match or match.group(1) not in state.videos:
            self._json(404, {"error": {"message": "no such video", "code": "not_found"}})
            return
        video_id = match.group(1)
        if match.group(2) is None:
            with state.lock:
                state.polls[video_id] = state.polls.get(video_id, 0) + 1
                video = self._video(video_id)
            self._json(200, video, {"openai-poll-after-ms": "100"})
            return
        self._content(video_id)

    def _content(self, video_id: str) -> None:
        state = self.state
        whole = video_bytes(video_id, state.args.video_bytes)
        start = 0
        wanted = self.headers.get("Range")
        with state.lock:
            state.content_requests += 1
            if wanted:
                state.ranges.append(wanted)
            cut = state.args.cut_first_download_after if not state.cut_done else None
            state.cut_done = True
        match = RANGE.match(wanted or "")
        if match and int(match.group(1)) < len(whole):
            start = int(match.group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(whole) - 1}/{len(whole)}")
        else:
            self.send_response(200)
        body = whole[start:]
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        chunk = state.args.chunk
        sent = 0
        for offset in range(0, len(body), chunk):
            if cut is not None and sent >= cut:
                self.close_connection = True
                self.connection.shutdown(2)  # the connection drops mid-body
                return
            piece = body[offset : offset + chunk]
            self.wfile.write(piece)
            self.wfile.flush()
            sent += len(piece)
            with state.lock:
                state.bytes_sent += len(piece)
            time.sleep(state.args.chunk_delay)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--polls-to-finish", type=int, default=6)
    parser.add_argument("--video-bytes", type=int, default=256 * 1024)
    parser.add_argument("--chunk", type=int, default=64 * 1024)
    parser.add_argument("--chunk-delay", type=float, default=0.0)
    parser.add_argument("--cut-first-download-after", type=int, default=None)
    parser.add_argument("--drop-first-submit", action="store_true")
    parser.add_argument("--lifetime", type=float, default=120.0, help="stop after this long")
    args = parser.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    Path(args.port_file).write_text(str(server.server_address[1]))
    threading.Timer(args.lifetime, server.shutdown).start()  # never outlives a test run
    server.serve_forever()


if __name__ == "__main__":
    main()
