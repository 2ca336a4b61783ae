"""Photos: real JPEG, PNG or WebP images only, within the size limit, downloadable as sent."""

from __future__ import annotations

import io

from PIL import Image

from smartcity.cases import photos
from tests.cases.conftest import case_body


def _png(size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _case(caller, city):
    citizen = caller("citizen")
    return citizen, citizen.ok(citizen.report(case_body(city.cells[0])), 201)["id"]


def test_a_good_image_is_stored_and_downloaded_as_sent(city, caller, platform):
    citizen, case_id = _case(caller, city)
    data = _png()
    response = citizen.request(
        "POST", f"/{case_id}/photos", files={"file": ("well.png", data, "image/png")}
    )
    photo = citizen.ok(response, 201)
    assert (photo["media_type"], photo["width"], photo["height"]) == ("image/png", 32, 24)
    stored = list((platform.settings.data_dir / "photos").rglob("*.png"))
    assert [p.name for p in stored] == [f"{photo['sha256']}.png"]
    download = citizen.client.get(photo["url"], headers=citizen.headers)
    assert download.status_code == 200
    assert download.content == data and download.headers["content-type"] == "image/png"
    listed = citizen.ok(citizen.request("GET", f"/{case_id}/photos"))
    assert [p["id"] for p in listed] == [photo["id"]]


def test_a_file_that_is_not_an_image_is_refused(city, caller):
    citizen, case_id = _case(caller, city)
    text = citizen.request(
        "POST", f"/{case_id}/photos", files={"file": ("a.txt", b"hello", "text/plain")}
    )
    assert text.status_code == 415
    assert text.json()["error"]["code"] == "unsupported_media_type"
    fake = citizen.request(
        "POST", f"/{case_id}/photos", files={"file": ("a.png", b"not a png at all", "image/png")}
    )
    assert fake.status_code == 422 and fake.json()["error"]["field"] == "file"
    mislabelled = citizen.request(
        "POST", f"/{case_id}/photos", files={"file": ("a.jpg", _png(), "image/jpeg")}
    )
    assert mislabelled.status_code == 422
    assert citizen.ok(citizen.request("GET", f"/{case_id}/photos")) == []


def test_an_oversized_photo_is_refused_with_413(city, caller):
    citizen, case_id = _case(caller, city)
    data = _png() + b"\0" * photos.MAX_PHOTO_BYTES
    response = citizen.request(
        "POST", f"/{case_id}/photos", files={"file": ("big.png", data, "image/png")}
    )
    assert response.status_code == 413
    assert citizen.ok(citizen.request("GET", f"/{case_id}/photos")) == []


def test_photos_of_a_case_one_cannot_see_are_not_found(city, caller):
    _, case_id = _case(caller, city)
    stranger = caller("citizen")
    response = stranger.request(
        "POST", f"/{case_id}/photos", files={"file": ("well.png", _png(), "image/png")}
    )
    assert response.status_code == 404
