"""The AWS endpoint's WSGI server: keep-alive, bodies of every kind (inline, streamed, chunked,
aws-chunked, 100-continue, larger than 64 MiB), HEAD, streamed responses and failures."""

from __future__ import annotations

import hashlib
import http.client
import socket

import boto3
import pytest
import requests
from botocore.config import Config

from localcloud.front.server import INLINE_BODY, serve_wsgi
from tests.localcloud.test_front_support import REGION, served  # noqa: F401 (fixture)

S3_AUTH = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"


@pytest.fixture(scope="module")
def bucket(served):  # noqa: F811
    served.aws("s3").create_bucket(Bucket="server-tests")
    return "server-tests"


def test_an_sdk_client_keeps_one_connection(served, bucket):  # noqa: F811
    conn = http.client.HTTPConnection("127.0.0.1", int(served.url.rsplit(":", 1)[1]), timeout=10)
    for i in range(3):
        conn.request("PUT", f"/{bucket}/k{i}", body=b"x" * i, headers={"Authorization": S3_AUTH})
        response = conn.getresponse()
        response.read()
        assert response.status == 200 and not response.will_close
        sock = conn.sock
        assert sock is not None
    conn.request("HEAD", f"/{bucket}/k2", headers={"Authorization": S3_AUTH})
    head = conn.getresponse()
    assert head.status == 200 and head.read() == b"" and head.getheader("Content-Length") == "2"
    conn.request("GET", f"/{bucket}/k2", headers={"Authorization": S3_AUTH})
    assert conn.getresponse().read() == b"xx" and conn.sock is sock
    conn.close()


def test_objects_larger_than_64_mib_round_trip(served, bucket):  # noqa: F811
    s3 = served.aws("s3")
    data = bytes(range(256)) * (65 * 4096 + 7)  # 65 MiB and a bit
    s3.put_object(Bucket=bucket, Key="big", Body=data)  # botocore sends Expect: 100-continue for this
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["ContentLength"] == len(data)
    assert hashlib.sha256(got["Body"].read()).digest() == hashlib.sha256(data).digest()


def test_a_chunked_upload_is_dechunked(served, bucket):  # noqa: F811
    parts = [b"a" * 70000, b"b" * 3, b"c" * 2_000_000]
    response = requests.put(f"{served.url}/{bucket}/chunked", data=iter(parts), headers={"Authorization": S3_AUTH})
    assert response.status_code == 200
    assert served.aws("s3").get_object(Bucket=bucket, Key="chunked")["Body"].read() == b"".join(parts)


def test_an_aws_chunked_upload_is_decoded_by_moto(served, bucket):  # noqa: F811
    payload = b"hello aws-chunked"
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    headers = {
        "Authorization": S3_AUTH,
        "Content-Encoding": "aws-chunked",
        "X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "X-Amz-Decoded-Content-Length": str(len(payload)),
    }
    assert requests.put(f"{served.url}/{bucket}/awschunked", data=body, headers=headers).status_code == 200
    assert served.aws("s3").get_object(Bucket=bucket, Key="awschunked")["Body"].read() == payload


def test_expect_100_continue_is_answered_before_the_body(served, bucket):  # noqa: F811
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = f"PUT /{bucket}/expect HTTP/1.1\r\nHost: x\r\nAuthorization: {S3_AUTH}\r\n"
        sock.sendall((head + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n").encode())
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"hello")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    assert served.aws("s3").get_object(Bucket=bucket, Key="expect")["Body"].read() == b"hello"


def test_metadata_names_with_underscores_keep_them(served, bucket):  # noqa: F811
    s3 = served.aws("s3")
    s3.put_object(Bucket=bucket, Key="meta", Body=b"m", Metadata={"my_key": "1", "other-key": "2"})
    assert s3.head_object(Bucket=bucket, Key="meta")["Metadata"] == {"my_key": "1", "other-key": "2"}


def test_non_ascii_keys_round_trip(served, bucket):  # noqa: F811
    s3 = served.aws("s3")
    s3.put_object(Bucket=bucket, Key="dir/é ü+%2F.txt", Body=b"u")
    assert s3.get_object(Bucket=bucket, Key="dir/é ü+%2F.txt")["Body"].read() == b"u"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="dir/")["Contents"]] == ["dir/é ü+%2F.txt"]


def test_many_clients_at_once(served, bucket):  # noqa: F811
    from concurrent.futures import ThreadPoolExecutor

    def work(i: int) -> bytes:
        client = boto3.client(
            "s3",
            endpoint_url=served.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )
        client.put_object(Bucket=bucket, Key=f"p{i}", Body=str(i).encode())
        return client.get_object(Bucket=bucket, Key=f"p{i}")["Body"].read()

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, range(16))) == [str(i).encode() for i in range(16)]


# The server alone, with small WSGI apps --------------------------------------------------------------


def raw_exchange(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.fixture
def wsgi():
    servers = []

    def start(app):
        server = serve_wsgi(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_a_body_the_app_leaves_unread_is_skipped(wsgi):
    def ignores_body(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    server = wsgi(ignores_body)
    big = INLINE_BODY + 12345
    request = b"POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (big, b"z" * big)
    request += b"POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = raw_exchange(server.port, request)
    assert answer.count(b"HTTP/1.1 200 OK") == 3
    assert answer.endswith(b"/three") and b"/one" in answer and b"/two" in answer


def test_a_large_streamed_response_is_chunked_and_an_http10_one_ends_with_the_connection(wsgi):
    part = b"p" * 200_000

    def streams(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield part
        yield b""
        yield part + b"end"

    server = wsgi(streams)
    answer = raw_exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in answer and b"Content-Length" not in answer
    whole = part + part + b"end"  # gathered up to the first write's size, then sent as one chunk
    assert answer.endswith(b"\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(whole), whole))
    answer = raw_exchange(server.port, b"GET / HTTP/1.0\r\n\r\n")
    assert b"Connection: close" in answer and answer.endswith(b"\r\n\r\n" + whole)
    assert requests.get(server.url, timeout=5).content == whole


def test_a_small_streamed_response_goes_out_whole_with_its_length(wsgi):
    def streams(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"part1-"
        yield b"part2"

    answer = raw_exchange(wsgi(streams).port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"Content-Length: 11\r\n" in answer and answer.endswith(b"\r\n\r\npart1-part2")


def test_a_failing_app_is_a_500_and_the_server_goes_on(wsgi):
    def fails(environ, start_response):
        if environ["PATH_INFO"] == "/boom":
            raise RuntimeError("app bug")
        start_response("204 No Content", [])
        return [b""]

    server = wsgi(fails)
    answer = raw_exchange(server.port, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 500 ") and b"HTTP/1.1 204 No Content" in answer


def test_a_malformed_request_is_a_400(wsgi):
    server = wsgi(lambda environ, start_response: [])
    assert raw_exchange(server.port, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400 ")
