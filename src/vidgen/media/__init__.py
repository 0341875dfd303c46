"""Real test videos: render them, probe them, take their last frame.

Rendering and probing need the optional ``video`` extra (PyAV and Pillow):
``pip install 'vidgen[video]'``. Importing this package does not: the packages load on
first use, and a missing one raises `vidgen.ConfigError` saying what to install.
"""

from ._concat import ConcatResult, concat_videos
from ._images import FittedImage, ImageFitPolicy, fit_image, image_bytes
from ._probe import VideoInfo, last_frame, probe_video
from ._render import render_video

__all__ = [
    "ConcatResult",
    "FittedImage",
    "ImageFitPolicy",
    "VideoInfo",
    "concat_videos",
    "fit_image",
    "image_bytes",
    "last_frame",
    "probe_video",
    "render_video",
]
