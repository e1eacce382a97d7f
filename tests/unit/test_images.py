"""Uploaded photos are decoded (never trusted by name), turned upright, shrunk to 1600 px, re-encoded as JPEG
without any metadata; what is not a picture, too big or a decompression bomb is refused with a clear error."""

import io
import struct
import zlib

import pytest
from PIL import Image

from core.images import MAX_UPLOAD_BYTES, NotAnImage, PhotoTooLarge, read_photo
from tests.report_factories import photo_bytes


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_camera_jpeg_comes_back_upright_smaller_and_without_any_metadata():
    original = photo_bytes((2400, 1800))  # EXIF: camera model, GPS, orientation 6
    assert opened(original).getexif().get(0x0112) == 6
    photo = read_photo(original, name="IMG_0001.jpg")
    image = opened(photo.data)
    assert image.format == "JPEG" and image.size == (1200, 1600) == (photo.width, photo.height)
    assert dict(image.getexif()) == {} and "exif" not in image.info
    assert b"NuanxinTestCam" not in photo.data and b"GPS" not in photo.data


def test_a_small_picture_keeps_its_size():
    photo = read_photo(photo_bytes((640, 480), gps=False))
    assert (photo.width, photo.height) == (640, 480)


def test_a_png_with_transparency_becomes_a_jpeg_on_white():
    image = Image.new("RGBA", (200, 100), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 100, 100))
    out = io.BytesIO()
    image.save(out, "PNG")
    photo = read_photo(out.getvalue(), name="x.png")
    result = opened(photo.data)
    assert result.format == "JPEG" and result.mode == "RGB"
    assert result.getpixel((150, 50))[0] > 240 and result.getpixel((150, 50))[2] > 240  # transparent: white
    assert result.getpixel((50, 50))[2] > 200 and result.getpixel((50, 50))[0] < 40  # blue stays blue


def test_a_text_file_named_like_a_photo_is_not_an_image():
    with pytest.raises(NotAnImage) as refused:
        read_photo("这不是照片".encode() * 50, name="photo.jpg")
    assert "photo.jpg" in str(refused.value.message) and refused.value.status == 422


def test_a_truncated_jpeg_is_not_an_image():
    data = photo_bytes((800, 600), gps=False)
    with pytest.raises(NotAnImage):
        read_photo(data[: len(data) // 2], name="cut.jpg")


def test_empty_bytes_are_not_an_image():
    with pytest.raises(NotAnImage):
        read_photo(b"", name="empty.jpg")


def test_more_than_10_mb_is_too_large_before_any_decoding():
    with pytest.raises(PhotoTooLarge) as refused:
        read_photo(b"\xff\xd8" + b"\0" * MAX_UPLOAD_BYTES, name="big.jpg")
    assert refused.value.status == 413


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims ``width`` × ``height`` pixels (1-bit grey) with one compressed row of zeros."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + (width + 7) // 8))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_a_huge_picture_in_a_small_file_is_refused_without_decoding():
    bomb = png_header_only(20000, 20000)
    assert len(bomb) < 1000
    with pytest.raises(PhotoTooLarge):
        read_photo(bomb, name="bomb.png")


def test_a_jpeg_of_a_webp_is_read_too():
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 30)).save(out, "WEBP")
    assert opened(read_photo(out.getvalue()).data).size == (300, 200)


def test_a_photo_with_corrupt_exif_is_read_and_its_metadata_dropped():
    """Pillow warns about the broken EXIF (pytest makes warnings errors): the photo is still read, cleaned."""
    tiff = (b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 100, 0xFFFF)
            + struct.pack("<I", 0))
    app1 = b"Exif\0\0" + tiff
    base = photo_bytes((120, 90), gps=False)
    broken = base[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + base[2:]
    photo = read_photo(broken, name="broken-exif.jpg")
    assert (photo.width, photo.height) == (120, 90) and dict(opened(photo.data).getexif()) == {}
