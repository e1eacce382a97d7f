"""Uploaded photos made safe: decoded by Pillow (never trusted by name), turned upright, shrunk to at most
1600 px on the long side and re-encoded as JPEG with no metadata (no EXIF, no GPS, no camera details)."""

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # one photo as uploaded
MAX_SIDE = 1600  # pixels, the long side as stored
MAX_PIXELS = 60_000_000  # larger pictures are refused before decoding (a "decompression bomb")
JPEG_QUALITY = 82


class NotAnImage(DomainError):
    """The upload is not a picture Pillow can read (whatever its name says)."""

    status = 422

    def __init__(self, name: str = ""):
        super().__init__(_l("“%(name)s” is not a photo we can read. Please choose a JPEG, PNG or WebP photo.",
                            name=name or "?") if name else
                         _l("This file is not a photo we can read. Please choose a JPEG, PNG or WebP photo."))


class PhotoTooLarge(DomainError):
    """The upload is over :data:`MAX_UPLOAD_BYTES` or has absurdly many pixels."""

    status = 413

    def __init__(self):
        super().__init__(_l("A photo may be at most 10 MB. Please choose a smaller one or take it again."))


@dataclass(frozen=True)
class Photo:
    """A re-encoded JPEG: its bytes, width and height in pixels."""

    data: bytes
    width: int
    height: int


def read_photo(data: bytes, *, name: str = "") -> Photo:
    """Decode ``data`` (an upload's bytes) and return it as a clean JPEG at most :data:`MAX_SIDE` px long.

    The picture is turned upright by its EXIF orientation, converted to RGB (transparency on white) and
    saved without any metadata. Raises :class:`PhotoTooLarge` over 10 MB or :data:`MAX_PIXELS`, and
    :class:`NotAnImage` when Pillow cannot decode it (``name`` is only used in the message).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoTooLarge()
    if not data:
        raise NotAnImage(name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # corrupt metadata (EXIF) is dropped anyway: not the user's problem
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _reencode(data)
    except (PhotoTooLarge, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoTooLarge() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise NotAnImage(name) from None


def _reencode(data: bytes) -> Photo:
    with Image.open(io.BytesIO(data)) as probe:
        if probe.width * probe.height > MAX_PIXELS:
            raise PhotoTooLarge()
        probe.verify()  # a truncated or forged file fails here
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        return Photo(out.getvalue(), image.width, image.height)
