"""What hosts of many models share: the per-model input mapping (`vidgen_hosted.inputs`).

fal, Replicate and similar hosts run hundreds of models, each with its own input schema
(``image_url`` here, ``start_image_url`` there; a duration of ``8``, ``"8"`` or ``"8s"``).
The mapping from a fitted vidgen request to one model's input is data: the ``wire`` table
of the model's catalog entry, read by `vidgen_hosted.inputs.InputMap`. This package is a
library for provider packages; it registers no provider of its own.
"""

from .inputs import FieldMap, InputMap, build_input

__all__ = ["FieldMap", "InputMap", "build_input"]
