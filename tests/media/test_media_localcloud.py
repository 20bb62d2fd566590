"""The media service end to end on localcloud (the real root template), over HTTP and boto3: an admin's
presigned POST from a browser-like form, the bucket notification, the thumbnail queue, make-thumbnails in
its own worker with its own Pillow, the renditions, and the events on MediaEvents."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import requests
from PIL import Image

from tests.media import images
from tests.media.test_media_handlers import check_event
from tests.support.localcloud import DEMO_PASSWORD

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module")
def media(localcloud_session):
    return localcloud_session.endpoints["outputs"]["Media"]


def id_token(cloud, *, admin: bool) -> str:
    cognito = cloud.endpoints["cognito"]
    idp = cloud.aws("cognito-idp")
    email = f"{'admin' if admin else 'reader'}-{uuid.uuid4().hex[:8]}@example.com"
    idp.sign_up(ClientId=cognito["clientId"], Username=email, Password=DEMO_PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])  # fmt: skip
    idp.admin_confirm_sign_up(UserPoolId=cognito["userPoolId"], Username=email)
    if admin:
        idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=email, GroupName="admins")
    auth = idp.initiate_auth(ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": email, "PASSWORD": DEMO_PASSWORD})  # fmt: skip
    return auth["AuthenticationResult"]["IdToken"]


@pytest.fixture
def events(localcloud, media):
    """A queue of this test's own, subscribed to MediaEvents: what the blog's queue would receive."""
    sqs, sns = localcloud.aws("sqs"), localcloud.aws("sns")
    url = sqs.create_queue(QueueName=f"media-events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sub = sns.subscribe(TopicArn=media["EventsTopicArn"], Protocol="sqs", Endpoint=arn,
                        Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)  # fmt: skip

    def received() -> list[dict]:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        return [json.loads(m["Body"]) for m in got]

    yield received
    sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    sqs.delete_queue(QueueUrl=url)


def create_upload(cloud, token: str, body: dict) -> requests.Response:
    url = cloud.api_url("Media/MediaApi") + "/media/uploads"
    return requests.post(url, json=body, headers={"Authorization": token}, timeout=60)


def post_form(upload: dict, data: bytes, content_type: str, **override: str) -> requests.Response:
    fields = {**upload["fields"], **override}
    return requests.post(upload["url"], data=fields, files={"file": ("photo", data, content_type)}, timeout=60)


def keys(cloud, bucket: str, prefix: str) -> list[str]:
    listed = cloud.aws("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_an_admins_photo_becomes_renditions_and_one_media_processed(localcloud, media, events):
    token = id_token(localcloud, admin=True)
    photo = images.jpeg((3000, 2000), orientation=6, gps=True)
    answer = create_upload(
        localcloud, token, {"filename": "IMG_1.JPG", "contentType": "image/jpeg", "size": len(photo)}
    )
    assert answer.status_code == 201, answer.text
    upload = answer.json()
    stored = post_form(upload, photo, "image/jpeg")
    assert stored.status_code == 204, stored.text
    assert localcloud.wait_idle(120)

    bucket, upload_id = media["RenditionsBucketName"], upload["id"]
    assert sorted(keys(localcloud, bucket, f"renditions/{upload_id}/")) == sorted(
        f"renditions/{upload_id}/{w}.{ext}" for w in (320, 800, 1600) for ext in ("jpg", "webp")
    )
    s3 = localcloud.aws("s3")
    got = s3.get_object(Bucket=bucket, Key=f"renditions/{upload_id}/800.jpg")
    assert got["CacheControl"] == "public, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(got["Body"].read()))
    assert image.size == (800, 1200) and not image.getexif()  # rotated upright, EXIF and GPS gone

    (event,) = events()
    check_event(event)
    assert event["type"] == "MediaProcessed" and event["data"]["id"] == upload_id
    assert (event["data"]["width"], event["data"]["height"]) == (2000, 3000)


def test_a_hostile_upload_is_quarantined_and_rejected_once(localcloud, media, events):
    token = id_token(localcloud, admin=True)
    bomb = images.png_bomb()
    upload = create_upload(localcloud, token, {"filename": "x.png", "contentType": "image/png", "size": len(bomb)})
    assert post_form(upload.json(), bomb, "image/png").status_code == 204
    assert localcloud.wait_idle(120)
    upload_id = upload.json()["id"]
    bucket = media["RenditionsBucketName"]
    assert keys(localcloud, bucket, "quarantine/") == [f"quarantine/{upload_id}.png"]
    assert keys(localcloud, bucket, "uploads/") == [] and keys(localcloud, bucket, "renditions/") == []
    (event,) = events()
    check_event(event)
    assert (event["type"], event["data"]["reason"]) == ("MediaRejected", "decompression-bomb")
    attributes = localcloud.aws("sqs").get_queue_attributes(
        QueueUrl=media["ThumbnailDeadLetterQueueUrl"], AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_objects_written_outside_uploads_never_reach_the_function(localcloud, media, events):
    """The notification filter: a hostile file under renditions/ or quarantine/ would be quarantined by
    the function (it is not a key the API issues), so its staying put proves it never fired."""
    s3, bucket = localcloud.aws("s3"), media["RenditionsBucketName"]
    for key in ("renditions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/320.jpg", "quarantine/x.jpg", "upload/x.jpg"):
        s3.put_object(Bucket=bucket, Key=key, Body=images.pdf(), ContentType="image/jpeg")
    assert localcloud.wait_idle(60)
    assert keys(localcloud, bucket, "") == sorted(
        ["renditions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/320.jpg", "quarantine/x.jpg", "upload/x.jpg"]
    )
    assert events() == []


def test_only_signed_in_admins_get_an_upload(localcloud):
    body = {"filename": "a.jpg", "contentType": "image/jpeg", "size": 100}
    reader = create_upload(localcloud, id_token(localcloud, admin=False), body)
    assert (reader.status_code, reader.json()["code"]) == (403, "NotAnAdmin")
    nobody = requests.post(localcloud.api_url("Media/MediaApi") + "/media/uploads", json=body, timeout=30)
    assert nobody.status_code == 401
    bad = create_upload(localcloud, id_token(localcloud, admin=True), {**body, "contentType": "image/gif"})
    assert bad.status_code == 400 and "url" not in bad.json()


def test_the_sample_events_run_in_localcloud_invoke(localcloud):
    """What `localcloud invoke Media/<Function> -e events/media/<name>.json` does (and `sam local invoke -e`)."""
    from tests.media.test_media_handlers import sample

    payload = localcloud.invoke("Media/CreateUploadFunction", sample("create-upload.json"))["payload"]
    assert payload["statusCode"] == 201 and json.loads(payload["body"])["key"].startswith("uploads/")
    batch = localcloud.invoke("Media/MakeThumbnailsFunction", sample("make-thumbnails.json"))
    assert batch["payload"] == {"batchItemFailures": []}  # its upload is not there: nothing to do
