"""Media and the blog together on the session's localcloud (the root template, wired as deployed): an
admin's photo becomes renditions, media's MediaProcessed reaches the blog's covers queue, a post that
then takes the upload as its cover gets the renditions at once, and the blog's CDN serves them under
/media/renditions/… through OAC, while an original under uploads/ stays unreachable there."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from tests.media import images
from tests.media.test_media_localcloud import create_upload, id_token, post_form
from tests.support.localcloud import unique

pytestmark = pytest.mark.localcloud


def test_an_uploaded_photo_is_a_posts_cover_served_by_the_blogs_cdn_and_the_original_is_not(localcloud):
    outputs, cdn = localcloud.endpoints["outputs"], localcloud.endpoints["cdn"]["Blog/Cdn"]
    token = id_token(localcloud, admin=True)
    photo = images.jpeg((1600, 1200))
    answer = create_upload(
        localcloud, token, {"filename": "cover.jpg", "contentType": "image/jpeg", "size": len(photo)}
    )
    assert answer.status_code == 201, answer.text
    upload = answer.json()
    assert post_form(upload, photo, "image/jpeg").status_code == 204
    assert localcloud.wait_idle(120)
    kept = localcloud.aws("dynamodb").get_item(
        TableName=outputs["Blog"]["CoversTableName"], Key={"id": {"S": upload["id"]}}
    )
    assert "Item" in kept  # MediaProcessed came through MediaEvents and the covers queue

    slug = unique("with-cover")
    created = requests.post(
        f"{cdn}/api/posts",
        json={"slug": slug, "title": "With a cover", "body": "x", "cover": {"id": upload["id"], "alt": "A photo"}},
        headers={"Authorization": token},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    cover = created.json()["cover"]
    assert cover["alt"] == "A photo" and (cover["width"], cover["height"]) == (1600, 1200)
    urls = {r["url"] for r in cover["renditions"]}
    assert urls and all(url.startswith(f"/media/renditions/{upload['id']}/") for url in urls)
    for url in urls:
        served = requests.get(cdn + url, timeout=30)
        assert served.status_code == 200, (url, served.status_code)
        assert Image.open(io.BytesIO(served.content)).format in ("WEBP", "JPEG")

    original = localcloud.aws("s3").head_object(Bucket=outputs["Media"]["RenditionsBucketName"], Key=upload["key"])
    assert original["ContentLength"] == len(photo)  # it is there, and still:
    assert requests.get(f"{cdn}/media/{upload['key']}", timeout=30).status_code == 403
