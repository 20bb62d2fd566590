"""The SDK and the `todo`/`blog` commands against localcloud on the real root template, as a developer
runs them beside `make dev`: endpoints from .localcloud/endpoints.json with no flags, a real Cognito
sign-in kept in the tokens file, the todos API over HTTP, the user's S3 folder with identity-pool
credentials, and the blog's public list."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml
from platform_client import BlogClient, CognitoAuth, Endpoints, FilesClient, TodosClient, TokenStore, errors
from platform_client.cli import blog as blog_cli
from platform_client.cli import todo as todo_cli
from platform_client.transport import RetryPolicy

from tests.media import images
from tests.support.localcloud import DEMO_PASSWORD, ROOT

pytestmark = pytest.mark.localcloud


@pytest.fixture
def workdir(localcloud, tmp_path, monkeypatch):
    """A directory like a clone beside `make dev`: .localcloud/endpoints.json, and its own tokens file."""
    (tmp_path / ".localcloud").mkdir()
    shutil.copy(localcloud.state_dir / "endpoints.json", tmp_path / ".localcloud" / "endpoints.json")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # found in a parent too
    monkeypatch.setenv("PLATFORM_CLIENT_CONFIG", str(tmp_path / "config" / "tokens.json"))
    monkeypatch.delenv("PLATFORM_ENDPOINTS", raising=False)
    monkeypatch.setenv("PLATFORM_PASSWORD", DEMO_PASSWORD)
    return tmp_path


def signed_up(cloud, name: str) -> str:
    """A confirmed user of the pool (the tests' own sign-up); returns the email to sign in with."""
    user = f"{name}-{uuid.uuid4().hex[:6]}"
    cloud.tokens(user)
    return f"{user}@example.com"


def todo(capsys, *argv: str) -> tuple[int, str, str]:
    code = todo_cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def sdk(cloud, email: str, tmp_path) -> tuple[Endpoints, CognitoAuth]:
    where = Endpoints.from_dict(cloud.endpoints)
    auth = CognitoAuth(where, TokenStore(tmp_path / f"{email}.json"))
    auth.login(email, DEMO_PASSWORD)
    return where, auth


def test_todo_login_add_ls_and_done_work_beside_make_dev_with_no_configuration(localcloud, workdir, capsys):
    email = signed_up(localcloud, "alice")
    assert todo(capsys, "login", email) == (0, f"signed in as {email}\n", "")
    assert json.loads((workdir / "config" / "tokens.json").read_text())[localcloud.endpoints["cognito"]["clientId"]]
    assert (workdir / "config" / "tokens.json").stat().st_mode & 0o077 == 0

    code, out, _ = todo(capsys, "add", "Buy milk", "--due", "2026-12-24")
    assert code == 0 and out.endswith("[ ] Buy milk  (due 2026-12-24)\n")
    todo_id = out.split()[0]
    code, out, _ = todo(capsys, "add", "Call mum", "--json")
    assert code == 0 and json.loads(out)["title"] == "Call mum"

    code, out, _ = todo(capsys, "ls")
    assert code == 0 and [line.split("  ", 1)[1] for line in out.splitlines()] == [
        "[ ] Call mum",
        "[ ] Buy milk  (due 2026-12-24)",
    ]
    assert todo(capsys, "done", todo_id)[0] == 0
    code, out, _ = todo(capsys, "ls", "--done", "--json")
    assert code == 0 and [t["todoId"] for t in json.loads(out)] == [todo_id]
    assert len(json.loads(todo(capsys, "ls", "--all", "--json")[1])) == 2


def test_todo_without_a_sign_in_or_with_a_wrong_password_says_so(localcloud, workdir, capsys, monkeypatch):
    code, _, err = todo(capsys, "ls")
    assert code == 3 and "todo login" in err
    email = signed_up(localcloud, "mallory")
    monkeypatch.setenv("PLATFORM_PASSWORD", "Wrong-Password-1")
    code, _, err = todo(capsys, "login", email)
    assert code == 3 and "sign-in failed" in err


def test_todo_files_put_and_ls_use_the_users_own_folder_with_identity_pool_credentials(localcloud, workdir, capsys):
    email = signed_up(localcloud, "carol")
    todo(capsys, "login", email)
    photo = workdir / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 not really a jpeg")
    code, out, _ = todo(capsys, "files", "put", str(photo))
    key = out.strip()
    identity_id, creds = localcloud.identity_credentials(email.removesuffix("@example.com"))
    assert code == 0 and key == f"private/{identity_id}/photo.jpg"
    bucket = localcloud.endpoints["outputs"]["Todos"]["FilesBucketName"]
    assert localcloud.aws("s3", **creds).get_object(Bucket=bucket, Key=key)["Body"].read() == photo.read_bytes()

    assert todo(capsys, "files", "put", str(photo), "--as", "trips/2026.jpg")[0] == 0
    code, out, _ = todo(capsys, "files", "ls")
    assert code == 0 and [line.split()[-1] for line in out.splitlines()] == ["photo.jpg", "trips/2026.jpg"]
    listed = json.loads(todo(capsys, "files", "ls", "--json")[1])
    assert [f["size"] for f in listed] == [len(photo.read_bytes())] * 2

    other = signed_up(localcloud, "dave")
    todo(capsys, "login", other)
    assert todo(capsys, "files", "ls") == (0, "", "")


def test_blog_posts_lists_published_posts_and_filters_by_tag(localcloud, workdir, capsys, tmp_path):
    email = signed_up(localcloud, "editor")
    cognito = localcloud.endpoints["cognito"]
    localcloud.aws("cognito-idp").admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=email,
                                                          GroupName="admins")  # fmt: skip
    where, auth = sdk(localcloud, email, tmp_path)
    admin = BlogClient(where.blog_api or "", auth.id_token)
    slug = f"sdk-{uuid.uuid4().hex[:6]}"
    created = admin.create_post({"slug": slug, "title": "From the SDK", "body": "Hello.", "tags": ["Client SDK"]})
    assert (created["status"], created["version"]) == ("draft", 1)
    admin.create_post({"slug": f"{slug}-draft", "title": "Still a draft", "body": "x", "tags": ["Client SDK"]})
    published = admin.publish_post(slug, if_version=created["version"])
    assert published["status"] == "published"

    assert blog_cli.main(["posts", "--tag", "client-sdk"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and f"  {slug}  From the SDK  [Client SDK]" in lines[0]
    assert blog_cli.main(["posts", "--tag", "elsewhere"]) == 0
    assert capsys.readouterr().out == "no posts\n"
    assert BlogClient(where.blog_api or "").get_post(slug)["html"].strip() == "<p>Hello.</p>"
    with pytest.raises(errors.NotFound):
        BlogClient(where.blog_api or "").get_post(f"{slug}-draft")


def test_the_sdk_reads_its_own_writes_and_maps_the_apis_errors(localcloud, tmp_path):
    where, auth = sdk(localcloud, signed_up(localcloud, "erin"), tmp_path)
    todos = TodosClient(where.todos_api or "", auth.id_token)
    made = todos.create("Write the SDK", notes="typed")
    assert todos.list()["items"] == [made]
    changed = todos.update(made["todoId"], {"done": True}, if_version=made["version"])
    assert todos.get(made["todoId"]) == changed and changed["version"] == 2
    with pytest.raises(errors.PreconditionFailed) as stale:
        todos.update(made["todoId"], {"title": "again"}, if_version=1)
    assert stale.value.status == 412
    with pytest.raises(errors.BadRequest):
        todos.create("   ")
    todos.delete(made["todoId"], if_version=2)
    with pytest.raises(errors.NotFound) as gone:
        todos.get(made["todoId"])
    assert gone.value.code != "" and gone.value.message


def test_an_expired_id_token_is_refreshed_with_the_refresh_token(localcloud, tmp_path):
    where, auth = sdk(localcloud, signed_up(localcloud, "frank"), tmp_path)
    tokens = auth.tokens
    tokens.expires_at = time.time() - 1
    auth.store.put(where.client_id or "", tokens)
    todos = TodosClient(where.todos_api or "", auth.id_token)
    assert todos.list()["items"] == []
    assert auth.tokens.expires_at > time.time() + 60


def test_files_of_one_user_are_not_another_users(localcloud, tmp_path):
    _, alice = sdk(localcloud, signed_up(localcloud, "alice"), tmp_path)
    _, bob = sdk(localcloud, signed_up(localcloud, "bob"), tmp_path)
    note = tmp_path / "note.txt"
    note.write_text("alice's")
    FilesClient(alice).put(note)
    assert [f.name for f in FilesClient(alice).list()] == ["note.txt"]
    assert FilesClient(bob).list() == []
    assert FilesClient(alice).get("note.txt") == b"alice's"


def test_endpoints_from_ssm_are_the_ones_localcloud_lists(localcloud):
    listed = Endpoints.from_dict(localcloud.endpoints)
    ssm = localcloud.aws("ssm")
    found = Endpoints.from_ssm("platform", "local", listed.region, ssm=ssm, aws_endpoint=listed.aws_endpoint)
    # localcloud writes the local URL of each API into the SSM parameters the stacks write (as it does in
    # functions' environment), so a client that reads SSM reaches the same APIs as endpoints.json lists
    for name in ("user_pool_id", "client_id", "identity_pool_id", "files_bucket", "todos_api", "blog_api", "media_api"):
        assert getattr(found, name) == getattr(listed, name), name


class FlakyProxy(ThreadingHTTPServer):
    """In front of the todos API: forwards every request, but drops the connection instead of answering
    the first `drops` POSTs, after the API has handled them, as a mobile network losing the answer does."""

    def __init__(self, upstream: str, drops: int):
        self.upstream = upstream
        self.drops = drops
        self.posts: list[dict[str, str]] = []
        super().__init__(("127.0.0.1", 0), _Forward)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Forward(BaseHTTPRequestHandler):
    server: FlakyProxy

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = requests.request(self.command, self.server.upstream + self.path, data=body or None,
                                  headers=headers, timeout=60)  # fmt: skip
        if self.command == "POST":
            self.server.posts.append(headers)
            if len(self.server.posts) <= self.server.drops:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
        self.send_response(answer.status_code)
        for name in ("Content-Type", "ETag", "Location"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PATCH = do_DELETE = _forward

    def log_message(self, *args) -> None:
        pass


def test_a_create_whose_answer_is_lost_is_retried_with_the_same_key(localcloud, tmp_path):
    """The SDK's half of safe retries, on the real API: the lost answers' retries carry one key. Where the
    API declares Idempotency-Key, it must also honour it: one todo, the one the SDK returns."""
    where, auth = sdk(localcloud, signed_up(localcloud, "grace"), tmp_path)
    proxy = FlakyProxy(where.todos_api or "", drops=2)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        todos = TodosClient(proxy.url, auth.id_token, retry=RetryPolicy(attempts=4, base_delay=0.05))
        made = todos.create("Sent on a train")
        keys = {headers["Idempotency-Key"] for headers in proxy.posts}
        assert len(proxy.posts) == 3 and len(keys) == 1 and uuid.UUID(next(iter(keys))).version == 4
        items = todos.list()["items"]
        assert made in items and {t["title"] for t in items} == {"Sent on a train"}
        if todos_api_declares_idempotency_key():
            assert items == [made]
    finally:
        proxy.shutdown()
        proxy.server_close()


def todos_api_declares_idempotency_key() -> bool:
    spec = yaml.safe_load((ROOT / "services/todos/openapi.yaml").read_text())
    post = spec["paths"]["/todos"]["post"]
    names = [p.get("name") or p.get("$ref", "").rsplit("/", 1)[-1] for p in post.get("parameters", [])]
    return any(name.lower().replace("-", "") == "idempotencykey" for name in names)


def test_blog_login_and_upload_put_an_admins_photo_where_media_takes_it(localcloud, workdir, capsys):
    email = signed_up(localcloud, "photographer")
    cognito = localcloud.endpoints["cognito"]
    assert blog_cli.main(["login", email]) == 0
    photo = workdir / "cover.jpg"
    photo.write_bytes(images.jpeg((64, 48)))
    assert blog_cli.main(["upload", str(photo)]) == 1  # not an admin yet
    assert "(403 " in capsys.readouterr().err

    localcloud.aws("cognito-idp").admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=email,
                                                          GroupName="admins")  # fmt: skip
    assert blog_cli.main(["login", email]) == 0  # a new token, with the group
    capsys.readouterr()
    assert blog_cli.main(["upload", str(photo), "--json"]) == 0
    upload = json.loads(capsys.readouterr().out)
    bucket = localcloud.endpoints["outputs"]["Media"]["RenditionsBucketName"]
    stored = localcloud.aws("s3").get_object(Bucket=bucket, Key=upload["key"])
    assert stored["Body"].read() == photo.read_bytes() and stored["ContentType"] == "image/jpeg"
    assert blog_cli.main(["upload", str(workdir / "notes.txt")]) == 1
    assert "only .jpeg, .jpg, .png, .webp photos" in capsys.readouterr().err
