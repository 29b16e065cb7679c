"""Lesson 14: an independent tus client (tuspy, from PyPI) against our server.

Run by TuspyTests.swift: python3 tuspy_client.py BASE_URL TOKEN CHUNK_SIZE
1. a file in chunks with tuspy's sha1 Upload-Checksum;
2. a connection cut in the middle of the second chunk by a relay, then tuspy resumes from the
   offset the server reports (with a checksum: the cut chunk was discarded, so exactly one chunk;
   without: the server kept what arrived, so more than one chunk);
3. instant upload: the hash of known content offered first, tuspy finds nothing left to send.
Prints one line per step; exits 1 with the reason on the first failure.
"""

import hashlib
import os
import socket
import sys
import tempfile
import threading
import time

import requests
from tusclient import client

BASE, TOKEN, CHUNK = sys.argv[1], sys.argv[2], int(sys.argv[3])
AUTH = {"Authorization": "Bearer " + TOKEN}
TUS = {"Tus-Resumable": "1.0.0"}


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def head(url):
    return requests.head(url, headers={**AUTH, **TUS}, timeout=30)


class CuttingRelay:
    """A TCP relay that cuts the n-th PATCH connection after `cut_after` body bytes."""

    def __init__(self, host, port, cut_patch, cut_after):
        self.target = (host, port)
        self.cut_patch, self.cut_after = cut_patch, cut_after
        self.patches, self.cuts = 0, 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            downstream, _ = self.listener.accept()
            threading.Thread(target=self.relay, args=(downstream,), daemon=True).start()

    @staticmethod
    def pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def relay(self, downstream):
        upstream = socket.create_connection(self.target)
        threading.Thread(target=self.pump, args=(upstream, downstream), daemon=True).start()
        data = downstream.recv(65536)
        cut_at = None
        if data.startswith(b"PATCH"):
            with self.lock:
                self.patches += 1
                if self.patches == self.cut_patch:
                    end = data.find(b"\r\n\r\n")
                    cut_at = (end + 4 if end >= 0 else len(data)) + self.cut_after
        forwarded = 0
        try:
            while data:
                if cut_at is not None and forwarded + len(data) >= cut_at:
                    upstream.sendall(data[: cut_at - forwarded])
                    with self.lock:
                        self.cuts += 1
                    for sock in (upstream, downstream):
                        try:
                            sock.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                        sock.close()
                    return
                upstream.sendall(data)
                forwarded += len(data)
                data = downstream.recv(65536)
            upstream.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def drive(uploader, step):
    """tuspy's upload() chunk by chunk, failing fast when a PATCH does not move the offset."""
    if not uploader.url:
        uploader.set_url(uploader.create_url())
        uploader.offset = 0
    while uploader.offset < uploader.get_file_size():
        before = uploader.offset
        uploader.upload_chunk()
        if uploader.offset <= before:
            fail(f"{step}: a PATCH at {before} was answered 2xx without moving the offset")


def write_file(size):
    data = os.urandom(size)
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=".bin")
    handle.write(data)
    handle.close()
    return handle.name, hashlib.sha256(data).hexdigest()


def check_finished(url, size, digest, step):
    answer = head(url)
    if answer.status_code != 200:
        fail(f"{step}: HEAD answered {answer.status_code}")
    if int(answer.headers.get("Upload-Offset", -1)) != size:
        fail(f"{step}: offset {answer.headers.get('Upload-Offset')} after the upload, expected {size}")
    if answer.headers.get("Upload-Content-SHA256") != digest:
        fail(f"{step}: stored SHA-256 {answer.headers.get('Upload-Content-SHA256')}, expected {digest}")


tus = client.TusClient(BASE + "/api/v1/uploads", headers=AUTH)
size = 4 * CHUNK + 1234

# 1. Chunks with checksums.
path, digest = write_file(size)
uploader = tus.uploader(file_path=path, chunk_size=CHUNK, upload_checksum=True, metadata={"filename": "one.bin"})
drive(uploader, "chunked upload")
check_finished(uploader.url, size, digest, "chunked upload")
print("chunked upload with sha1 checksums: ok", flush=True)

# 2. A cut in the middle of the second chunk, then a resume, with and without checksums.
host, port = BASE.split("//")[1].split(":")
for checksum in (True, False):
    relay = CuttingRelay(host, int(port), cut_patch=2, cut_after=CHUNK // 2)
    via_relay = client.TusClient(f"http://127.0.0.1:{relay.port}/api/v1/uploads", headers=AUTH)
    path, digest = write_file(size)
    uploader = via_relay.uploader(file_path=path, chunk_size=CHUNK, upload_checksum=checksum, retries=0)
    try:
        drive(uploader, "upload through the relay")
        fail("the relay should have cut the second chunk")
    except Exception as error:  # tuspy reports the cut as its own or a requests error
        if relay.cuts != 1:
            fail(f"the upload failed without the cut: {error!r}")
    if not checksum:
        # The server settles the cut PATCH when it sees the connection end, which may be a moment
        # after the client saw it: wait (bounded) for the bytes that arrived to be committed.
        deadline = time.monotonic() + 10
        while int(head(uploader.url).headers.get("Upload-Offset", -1)) <= CHUNK and time.monotonic() < deadline:
            time.sleep(0.02)
    resumed = via_relay.uploader(file_path=path, url=uploader.url, chunk_size=CHUNK, upload_checksum=checksum)
    if checksum and resumed.offset != CHUNK:
        fail(f"with a checksum the cut chunk is discarded: resume offset {resumed.offset}, expected {CHUNK}")
    if not checksum and not CHUNK < resumed.offset < 2 * CHUNK:
        fail(f"without a checksum the bytes that arrived are kept: resume offset {resumed.offset}")
    drive(resumed, "resumed upload")
    check_finished(uploader.url, size, digest, "resumed upload")
    print(f"cut mid-chunk and resumed from {resumed.offset} (checksum {checksum}): ok", flush=True)

# 3. Instant upload: the hash first; the server has the content, tuspy has nothing left to send.
created = requests.post(
    BASE + "/api/v1/uploads",
    headers={**AUTH, **TUS, "Upload-Length": str(size),
             "Upload-Metadata": "sha256 " + __import__("base64").b64encode(digest.encode()).decode()},
    timeout=30)
if created.status_code != 201:
    fail(f"creating with a known hash answered {created.status_code}")
url = requests.compat.urljoin(BASE, created.headers["Location"])
instant = tus.uploader(file_path=path, url=url, chunk_size=CHUNK)
if instant.offset != size:
    fail(f"known content should be complete at once; offset {instant.offset}")
drive(instant, "instant upload")
check_finished(url, size, digest, "instant upload")
print("instant upload by SHA-256: ok", flush=True)
