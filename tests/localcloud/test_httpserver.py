"""The lean HTTP/1.1 server: keep-alive, bodies (Content-Length, chunked), errors, shutdown."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from localcloud.httpserver import serve
from localcloud.model import FileSlice, HttpRequest, HttpResponse


def echo(req: HttpRequest) -> HttpResponse:
    if req.path == "/boom":
        raise RuntimeError("handler bug")
    document = {
        "method": req.method,
        "path": req.path,
        "query": req.query,
        "headers": req.headers,
        "body": req.body.decode("latin-1"),
        "ip": req.client_ip,
    }
    return HttpResponse(200, [("Content-Type", "application/json"), ("X-Echo", "1")], json.dumps(document).encode())


@pytest.fixture
def server():
    srv = serve(echo)
    yield srv
    srv.close()


def raw(server, data: bytes, reads: int = 1) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        sock.settimeout(2)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def test_url_and_port(server):
    assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0


def test_request_fields_reach_the_handler(server):
    resp = requests.post(f"{server.url}/a%20b/c?x=1&y=%2F", data=b"hello", headers={"X-Thing": "v"}, timeout=5)
    assert resp.status_code == 200 and resp.headers["X-Echo"] == "1"
    doc = resp.json()
    assert doc["method"] == "POST" and doc["path"] == "/a%20b/c" and doc["query"] == "x=1&y=%2F"
    assert ["X-Thing", "v"] in doc["headers"] and doc["body"] == "hello" and doc["ip"] == "127.0.0.1"


def test_keep_alive_serves_many_requests_on_one_connection(server):
    with requests.Session() as session:
        for i in range(20):
            assert session.get(f"{server.url}/n/{i}", timeout=5).json()["path"] == f"/n/{i}"
    data = b"".join(f"GET /p{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(3))
    out = raw(server, data + b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert out.count(b"HTTP/1.1 200 OK") == 4
    assert b'"/last"' in out and out.rstrip().endswith(b"}")


def test_chunked_request_body(server):
    def gen():
        yield b"hel"
        yield b"lo "
        yield b"world"

    resp = requests.post(f"{server.url}/chunked", data=gen(), timeout=5)
    assert resp.json()["body"] == "hello world"


def test_expect_100_continue(server):
    out = raw(
        server,
        b"POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
    )
    assert out.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
    assert b'"body": "ok"' in out


def test_http_1_0_closes_by_default(server):
    out = raw(server, b"GET /old HTTP/1.0\r\n\r\n")
    assert b"Connection: close" in out and b'"/old"' in out


def test_head_has_no_body(server):
    resp = requests.head(f"{server.url}/h", timeout=5)
    assert resp.status_code == 200 and resp.content == b"" and int(resp.headers["Content-Length"]) > 0


def test_handler_error_is_a_json_500_and_the_connection_lives_on(server):
    with requests.Session() as session:
        resp = session.get(f"{server.url}/boom", timeout=5)
        assert resp.status_code == 500
        assert resp.json() == {"message": "Internal server error", "code": "InternalServerError"}
        assert session.get(f"{server.url}/fine", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"NONSENSE\r\n\r\n", 400, "BadRequest"),
        (b"GET /x HTTP/1.1\r\nBad Header\r\n\r\n", 400, "BadRequest"),
        (b"GET /x HTTP/1.1\r\nContent-Length: nope\r\n\r\n", 400, "BadRequest"),
        (b"GET /x HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431, "RequestHeaderFieldsTooLarge"),
        (b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\n\r\n", 414, "UriTooLong"),
        (b"GET /x HTTP/1.1\r\n" + b"X-Many: a\r\n" * 300 + b"\r\n", 431, "RequestHeaderFieldsTooLarge"),
        (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "BadRequest"),
    ],
)
def test_malformed_requests_get_json_errors_with_a_message_and_a_code(server, data, status, code):
    """The shape every API's openapi.yaml gives its errors (`message`, `code`), before any API is routed."""
    out = raw(server, data)
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()) and b"Content-Type: application/json" in head
    document = json.loads(body)
    assert document["code"] == code and document["message"]
    assert requests.get(f"{server.url}/still-up", timeout=5).status_code == 200


def test_close_stops_serving():
    srv = serve(echo)
    requests.get(f"{srv.url}/x", timeout=5)
    srv.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{srv.url}/x", timeout=2)


def streaming(req: HttpRequest) -> HttpResponse:
    size = int(req.query.split("=")[1]) if req.query.startswith("n=") else 0
    chunks = (b"x" * 65536 for _ in range(size))
    if req.path == "/declared":
        return HttpResponse(200, [("Content-Length", str(size * 65536))], chunks)  # type: ignore[arg-type]
    if req.path == "/short":
        return HttpResponse(200, [("Content-Length", "1000000")], iter([b"only this"]))  # type: ignore[arg-type]
    if req.path == "/broken":

        def broken():
            yield b"start"
            raise OSError("origin went away")

        return HttpResponse(200, [], broken())  # type: ignore[arg-type]
    return HttpResponse(200, [], chunks)  # type: ignore[arg-type]


@pytest.fixture
def stream_server():
    srv = serve(streaming)
    yield srv
    srv.close()


def test_a_streamed_body_with_a_length_is_sent_as_it_comes_and_the_connection_stays_open(stream_server):
    with requests.Session() as session:
        first = session.get(f"{stream_server.url}/declared?n=40", stream=True, timeout=10)
        assert first.headers["Content-Length"] == str(40 * 65536)
        assert sum(len(c) for c in first.iter_content(1 << 20)) == 40 * 65536
        assert session.get(f"{stream_server.url}/declared?n=1", timeout=10).status_code == 200


def test_a_streamed_body_without_a_length_goes_chunked(stream_server):
    response = requests.get(f"{stream_server.url}/chunked?n=3", timeout=10)
    assert response.headers["Transfer-Encoding"] == "chunked" and len(response.content) == 3 * 65536


def test_a_streamed_head_sends_no_body(stream_server):
    response = requests.head(f"{stream_server.url}/declared?n=2", timeout=10)
    assert response.headers["Content-Length"] == str(2 * 65536) and response.content == b""


@pytest.mark.parametrize("path", ["/short", "/broken"])
def test_a_body_that_breaks_off_closes_the_connection_so_the_client_sees_it(stream_server, path):
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{stream_server.url}{path}", timeout=10).content  # noqa: B018


def test_file_slices_go_out_with_sendfile_between_ordinary_chunks(tmp_path, monkeypatch):
    """A FileSlice chunk (how the edge serves a cached body from disk) is sent by the kernel, framed
    like any chunk, with or without a declared length."""
    data = bytes(range(256)) * 8192  # 2 MiB
    path = tmp_path / "body"
    path.write_bytes(data)
    used = []
    real_sendfile = socket.socket.sendfile

    def counting(self, file, offset=0, count=None):
        used.append((offset, count))
        return real_sendfile(self, file, offset, count)

    monkeypatch.setattr(socket.socket, "sendfile", counting)

    def handler(req: HttpRequest) -> HttpResponse:
        handle = path.open("rb")
        chunks = [b"<", FileSlice(handle, 1000, 1_000_000), b">", FileSlice(handle, 5, 10)]
        headers = [("Content-Length", str(1_000_012))] if req.path == "/declared" else []
        return HttpResponse(200, headers, iter(chunks))  # type: ignore[arg-type]

    srv = serve(handler)
    try:
        expected = b"<" + data[1000:1_001_000] + b">" + data[5:15]
        declared = requests.get(f"{srv.url}/declared", timeout=10)
        assert declared.headers["Content-Length"] == str(len(expected)) and declared.content == expected
        chunked = requests.get(f"{srv.url}/chunked", timeout=10)
        assert chunked.headers["Transfer-Encoding"] == "chunked" and chunked.content == expected
    finally:
        srv.close()
    assert used == [(1000, 1_000_000), (5, 10)] * 2


def test_a_file_slice_reads_as_bytes_anywhere_else(tmp_path):
    path = tmp_path / "body"
    path.write_bytes(b"0123456789")
    with path.open("rb") as handle:
        piece = FileSlice(handle, 2, 5)
        assert len(piece) == 5 and bytes(piece) == b"23456" and b"".join([piece, b"!"]) == b"23456!"


def test_a_file_slice_past_the_end_of_its_file_closes_the_connection(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(b"abc")

    def handler(req: HttpRequest) -> HttpResponse:
        return HttpResponse(200, [("Content-Length", "100")], iter([FileSlice(path.open("rb"), 0, 100)]))  # type: ignore[arg-type]

    srv = serve(handler)
    try:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(f"{srv.url}/x", timeout=10).content  # noqa: B018
    finally:
        srv.close()
