"""What a test video looks like, drawn with Pillow.

A scene is a gradient background with a title card (the prompt, wrapped), a shape that
moves across the lower half, a running time code and a progress bar. Everything about its
look (colours, shape, path, tone) comes from the seed, so two jobs never look alike and one
job always looks the same.

Drawing a full frame per video frame would be the slow part of rendering, so the scene
splits itself: the background and title card are drawn once (`Scene.background`), and for
each frame only a few small rectangles change (`Scene.patches`). The encoder pastes those
rectangles into copies of the precomputed planes.
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

Box = tuple[int, int, int, int]
Color = tuple[int, int, int]

_SHAPES = ("circle", "square", "diamond", "triangle")


def even(value: int) -> int:
    """``value`` rounded up to an even number (yuv420p halves both dimensions)."""
    return value + (value % 2)


def seed_bytes(seed: int | str) -> bytes:
    """A stable digest of any seed, the source of every random choice in a scene."""
    return hashlib.sha256(str(seed).encode("utf-8")).digest()


def timecode(frame: int, fps: int) -> str:
    """``HH:MM:SS:FF`` for a frame number."""
    seconds, frames = divmod(frame, fps)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


def _color(hue: float, saturation: float, value: float) -> Color:
    red, green, blue = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return (round(red * 255), round(green * 255), round(blue * 255))


def _font(size: int) -> Font:
    from PIL import ImageFont

    try:
        # Pillow >= 10.1 ships a scalable default font when FreeType is available.
        return ImageFont.load_default(size=max(8, size))
    except (TypeError, OSError):  # an older Pillow, or one built without FreeType
        return ImageFont.load_default()


def _text_width(font: Font, text: str) -> float:
    return float(font.getlength(text))


def wrap(text: str, font: Font, width: float, max_lines: int) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines no wider than ``width``.

    Words longer than a line are cut; text that does not fit ends with an ellipsis.
    """
    words = text.split()
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if _text_width(font, candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while _text_width(font, line) > width and len(line) > 1:
            # A word wider than the card: keep what fits, carry the rest.
            cut = len(line) - 1
            while cut > 1 and _text_width(font, line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _text_width(font, last + "...") > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "..."
    return lines or [""]


class Scene:
    """The look of one video, and the parts of each frame that change.

    Args:
        width: frame width in pixels (even).
        height: frame height in pixels (even).
        fps: frames per second.
        frames: how many frames the video has.
        title: the text on the title card (the prompt).
        seed: anything; the same seed gives the same look.
    """

    def __init__(
        self, *, width: int, height: int, fps: int, frames: int, title: str, seed: int | str
    ) -> None:
        self.width = width
        self.height = height
        self.fps = fps
        self.frames = frames
        self.title = title
        self.seed = seed
        digest = seed_bytes(seed)
        rng = random.Random(digest)
        hue = rng.random()
        self.colors = (
            _color(hue, 0.55, 0.35),
            _color(hue + 0.08, 0.65, 0.55),
            _color(hue + 0.5, 0.45, 0.25),
            _color(hue + 0.42, 0.60, 0.45),
        )
        self.shape = _SHAPES[digest[0] % len(_SHAPES)]
        self.shape_color = _color(hue + 0.5, 0.35, 1.0)
        self.bar_color = _color(hue + 0.5, 0.6, 0.95)
        # Shape path: seconds to cross the frame, and a vertical wobble.
        self.crossing = 2.0 + rng.random() * 3.0
        self.wobble_period = 1.0 + rng.random() * 1.5
        self.phase = rng.random()
        self.label = digest.hex()[:8]

        unit = min(width, height)
        self.margin = max(2, unit // 24)
        self.shape_size = max(4, unit // 7)
        self.code_size = max(8, height // 16)
        self.title_size = max(8, unit // 14)
        self.info_size = max(8, unit // 30)
        self.code_font = _font(self.code_size)
        self.title_font = _font(self.title_size)
        self.info_font = _font(self.info_size)
        code_width = _text_width(self.code_font, "00:00:00:00")
        pad = max(2, self.margin // 2)
        self.code_box = self._clip(
            (
                self.margin - pad,
                height - self.margin - self.code_size - 2 * pad - max(2, height // 90),
                self.margin + int(code_width) + pad,
                height - self.margin // 2 - max(2, height // 90),
            )
        )
        self.bar_height = max(2, height // 90)
        self.bar_box = self._clip((0, height - self.bar_height, width, height))
        # The shape travels in the band between the title card and the time code.
        self.band = (int(height * 0.55), max(int(height * 0.55) + 1, self.code_box[1] - 1))

    def _clip(self, box: Box) -> Box:
        """``box`` inside the frame, with even corners so chroma planes line up."""
        left, top, right, bottom = box
        left = max(0, min(self.width - 2, left)) // 2 * 2
        top = max(0, min(self.height - 2, top)) // 2 * 2
        right = max(left + 2, min(self.width, even(right)))
        bottom = max(top + 2, min(self.height, even(bottom)))
        return (left, top, right, bottom)

    # -- the static part ----------------------------------------------------------------

    def background(self) -> Image.Image:
        """The gradient with the title card: everything that never moves."""
        from PIL import Image, ImageDraw

        corners = Image.new("RGB", (2, 2))
        corners.putdata(list(self.colors))
        image = corners.resize((self.width, self.height), Image.Resampling.BILINEAR)
        draw = ImageDraw.Draw(image, "RGBA")
        card = self._clip(
            (
                self.width // 12,
                self.height // 12,
                self.width - self.width // 12,
                int(self.height * 0.5),
            )
        )
        radius = max(1, min(self.width, self.height) // 40)
        draw.rounded_rectangle(card, radius=radius, fill=(0, 0, 0, 150))
        inner = max(2, self.margin // 2 + 2)
        line_height = int(self.title_size * 1.25)
        info_height = int(self.info_size * 1.4)
        room = card[3] - card[1] - 2 * inner - info_height
        max_lines = max(1, room // line_height)
        lines = wrap(self.title, self.title_font, card[2] - card[0] - 2 * inner, max_lines)
        y = card[1] + inner
        for line in lines:
            draw.text((card[0] + inner, y), line, font=self.title_font, fill=(255, 255, 255))
            y += line_height
        info = (
            f"vidgen emulator - {self.width}x{self.height} - {self.fps} fps - "
            f"{self.frames / self.fps:g} s - seed {self.label}"
        )
        info_lines = wrap(info, self.info_font, card[2] - card[0] - 2 * inner, 1)
        draw.text(
            (card[0] + inner, card[3] - inner - info_height),
            info_lines[0],
            font=self.info_font,
            fill=(200, 200, 200),
        )
        return image

    # -- the moving part ----------------------------------------------------------------

    def shape_box(self, frame: int) -> Box:
        """Where the shape is in ``frame`` (a box with even corners)."""
        t = frame / self.fps
        size = self.shape_size
        span = max(1, self.width - size)
        # A triangle wave: left to right, then back.
        leg = (t / self.crossing + self.phase) % 2.0
        x = int((leg if leg <= 1.0 else 2.0 - leg) * span)
        low, high = self.band
        middle = (low + high) / 2
        amplitude = max(0.0, (high - low - size) / 2)
        y = int(middle - size / 2 + amplitude * math.sin(2 * math.pi * t / self.wobble_period))
        return self._clip((x, y, x + size, y + size))

    def draw_dynamic(self, draw: ImageDraw.ImageDraw, frame: int, origin: tuple[int, int]) -> None:
        """Draw the shape, time code and progress bar of ``frame``.

        Args:
            draw: where to draw.
            frame: the frame number.
            origin: the frame coordinates of the drawing's top-left pixel (patches are
                drawn on crops of the frame).
        """
        ox, oy = origin

        def moved(box: Box) -> Box:
            return (box[0] - ox, box[1] - oy, box[2] - ox - 1, box[3] - oy - 1)

        left, top, right, bottom = moved(self.shape_box(frame))
        if self.shape == "circle":
            draw.ellipse((left, top, right, bottom), fill=self.shape_color)
        elif self.shape == "square":
            draw.rectangle((left, top, right, bottom), fill=self.shape_color)
        elif self.shape == "diamond":
            cx, cy = (left + right) / 2, (top + bottom) / 2
            draw.polygon([(cx, top), (right, cy), (cx, bottom), (left, cy)], fill=self.shape_color)
        else:
            draw.polygon(
                [((left + right) / 2, top), (right, bottom), (left, bottom)], fill=self.shape_color
            )

        code = moved(self.code_box)
        draw.rectangle(code, fill=(0, 0, 0))
        pad = max(1, self.margin // 2)
        draw.text(
            (code[0] + pad, code[1] + pad),
            timecode(frame, self.fps),
            font=self.code_font,
            fill=(255, 255, 255),
        )

        bar = moved(self.bar_box)
        draw.rectangle(bar, fill=(20, 20, 20))
        done = (frame + 1) / max(1, self.frames)
        filled = int(self.width * done)
        if filled > 0:
            draw.rectangle((bar[0], bar[1], bar[0] + filled - 1, bar[3]), fill=self.bar_color)

    def patches(self, frame: int, background: Image.Image) -> Iterator[tuple[Box, Image.Image]]:
        """The rectangles of ``frame`` that differ from the background, drawn.

        Each rectangle is drawn with every dynamic element, so overlapping rectangles
        agree wherever they overlap.
        """
        from PIL import ImageDraw

        for box in (self.shape_box(frame), self.code_box, self.bar_box):
            patch = background.crop(box)
            self.draw_dynamic(ImageDraw.Draw(patch), frame, (box[0], box[1]))
            yield box, patch

    def still(self, frame: int, background: Image.Image | None = None) -> Image.Image:
        """Frame number ``frame`` as a full RGB image (thumbnails, sprite sheets)."""
        from PIL import ImageDraw

        image = (background or self.background()).copy()
        self.draw_dynamic(ImageDraw.Draw(image), frame, (0, 0))
        return image


def tone_period(seed: int | str) -> int:
    """Samples per cycle of the scene's tone at 48 kHz (300 to 600 Hz, from the seed).

    A whole number of samples per cycle lets the audio be built by repeating one cycle.
    """
    return 80 + seed_bytes(seed)[1] % 81
