"""Image augmentation: label-preserving random transforms, in plain torch.

The transforms work on a batch of images scaled to ``[0, 1]`` (a float
tensor of shape ``(m, C, H, W)``) and draw their randomness from a
``torch.Generator``, so a seed gives the same images. They are used by
:class:`ImageAugmentationSampler` (new minority images, an imblearn sampler)
and by :class:`~sksynth.samplers.AugmentedImageDataset` (fresh augmentations
every epoch in skorch). torchvision is not needed; a torchvision-style
callable (one image ``(C, H, W)`` in ``[0, 1]`` in, one out) is accepted as a
transform too.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from ..utils._random import draw_seed

__all__ = [
    "GaussianNoise",
    "ImageAugmentationSampler",
    "ImageTransform",
    "RandomAffine",
    "RandomBrightnessContrast",
    "RandomCutout",
    "RandomFlip",
]


def _uniform(generator, m, low, high):
    return low + (high - low) * torch.rand(m, generator=generator)


class ImageTransform:
    """Base of the built-in transforms: ``t(batch, generator) -> batch``.

    ``batch`` is a float tensor ``(m, C, H, W)`` with pixels in ``[0, 1]``;
    the result has the same shape. Subclasses write :meth:`__call__`.
    """

    def __call__(self, x, generator):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)


class RandomFlip(ImageTransform):
    """Mirror images left-right (and/or up-down), each with probability ``p``.

    Not label-preserving for digits or text; fine for most natural images.

    Examples
    --------
    >>> import torch
    >>> from sksynth.samplers import RandomFlip
    >>> x = torch.arange(4.0).reshape(1, 1, 1, 4) / 3
    >>> RandomFlip(p=1.0)(x, torch.Generator().manual_seed(0)).flatten().tolist()
    [1.0, 0.6666666865348816, 0.3333333432674408, 0.0]
    """

    def __init__(self, horizontal=True, vertical=False, p=0.5):
        self.horizontal = horizontal
        self.vertical = vertical
        self.p = p

    def __call__(self, x, generator):
        for flag, dim in ((self.horizontal, 3), (self.vertical, 2)):
            if flag:
                pick = torch.rand(len(x), generator=generator) < self.p
                x = torch.where(pick[:, None, None, None], x.flip(dim), x)
        return x


class RandomAffine(ImageTransform):
    """Small random rotations, translations and zooms (scale / crop).

    Each image is rotated by an angle in ``[-degrees, degrees]``, shifted by
    up to ``translate`` of its width and height and zoomed by a factor in
    ``scale`` (above 1 crops into the image), by bilinear resampling on an
    affine grid; pixels that come from outside the image repeat its border.

    Examples
    --------
    >>> import torch
    >>> from sksynth.samplers import RandomAffine
    >>> x = torch.rand(2, 1, 8, 8)
    >>> RandomAffine(degrees=10)(x, torch.Generator().manual_seed(0)).shape
    torch.Size([2, 1, 8, 8])
    """

    def __init__(self, degrees=10.0, translate=0.1, scale=(0.9, 1.1)):
        self.degrees = degrees
        self.translate = translate
        self.scale = scale

    def __call__(self, x, generator):
        m, _, H, W = x.shape
        angle = _uniform(generator, m, -self.degrees, self.degrees) * math.pi / 180
        zoom = _uniform(generator, m, *self.scale)
        tx = _uniform(generator, m, -self.translate, self.translate) * 2
        ty = _uniform(generator, m, -self.translate, self.translate) * 2
        cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
        theta = torch.zeros(m, 2, 3, dtype=x.dtype)
        # a rotation in pixel space, written in normalised coordinates
        theta[:, 0, 0], theta[:, 0, 1], theta[:, 0, 2] = cos, -sin * H / W, tx
        theta[:, 1, 0], theta[:, 1, 1], theta[:, 1, 2] = sin * W / H, cos, ty
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        return F.grid_sample(
            x, grid, mode="bilinear", padding_mode="border", align_corners=False
        )


class RandomBrightnessContrast(ImageTransform):
    """Shift brightness by up to ``brightness`` and scale contrast by ``1 +- contrast``.

    Examples
    --------
    >>> import torch
    >>> from sksynth.samplers import RandomBrightnessContrast
    >>> x = torch.full((1, 1, 2, 2), 0.5)
    >>> t = RandomBrightnessContrast(brightness=0.0, contrast=0.5)
    >>> t(x, torch.Generator().manual_seed(0)).flatten().tolist()
    [0.5, 0.5, 0.5, 0.5]
    """

    def __init__(self, brightness=0.1, contrast=0.1):
        self.brightness = brightness
        self.contrast = contrast

    def __call__(self, x, generator):
        m = len(x)
        b = _uniform(generator, m, -self.brightness, self.brightness)
        c = _uniform(generator, m, 1 - self.contrast, 1 + self.contrast)
        mean = x.mean(dim=(1, 2, 3), keepdim=True)
        return (x - mean) * c[:, None, None, None] + mean + b[:, None, None, None]


class GaussianNoise(ImageTransform):
    """Add Gaussian pixel noise of standard deviation ``std`` (of the range).

    Examples
    --------
    >>> import torch
    >>> from sksynth.samplers import GaussianNoise
    >>> x = torch.zeros(1000, 1, 4, 4)
    >>> round(float(GaussianNoise(0.1)(x, torch.Generator().manual_seed(0)).std()), 2)
    0.1
    """

    def __init__(self, std=0.02):
        self.std = std

    def __call__(self, x, generator):
        return x + self.std * torch.randn(x.shape, generator=generator, dtype=x.dtype)


class RandomCutout(ImageTransform):
    """Erase a random square (side ``size`` of the shorter side) with probability p.

    The square is set to 0 (the darkest pixel value seen).

    Examples
    --------
    >>> import torch
    >>> from sksynth.samplers import RandomCutout
    >>> x = torch.ones(1, 1, 8, 8)
    >>> out = RandomCutout(size=0.5, p=1.0)(x, torch.Generator().manual_seed(0))
    >>> int((out == 0).sum())
    16
    """

    def __init__(self, size=0.25, p=0.5):
        self.size = size
        self.p = p

    def __call__(self, x, generator):
        m, _, H, W = x.shape
        side = max(1, int(round(self.size * min(H, W))))
        top = torch.randint(0, H - min(side, H) + 1, (m,), generator=generator)
        left = torch.randint(0, W - min(side, W) + 1, (m,), generator=generator)
        pick = torch.rand(m, generator=generator) < self.p
        rows = torch.arange(H)[None, :]
        cols = torch.arange(W)[None, :]
        in_r = (rows >= top[:, None]) & (rows < top[:, None] + side)
        in_c = (cols >= left[:, None]) & (cols < left[:, None] + side)
        mask = (in_r[:, :, None] & in_c[:, None, :]) & pick[:, None, None]
        return x.masked_fill(mask[:, None], 0.0)


def default_transforms():
    """The default transforms: small affine moves, light colour jitter and noise.

    No flips (they change digits and letters) and no cutout; add them for
    natural images.
    """
    return [
        RandomAffine(degrees=10.0, translate=0.1, scale=(0.9, 1.1)),
        RandomBrightnessContrast(brightness=0.05, contrast=0.1),
        GaussianNoise(std=0.02),
    ]


def _resolve(transforms):
    if transforms is None:
        return []
    if isinstance(transforms, str):  # "default" (checked by the constraints)
        return default_transforms()
    if callable(transforms):
        return [transforms]
    return list(transforms)


def apply_transforms(x, transforms, generator):
    """Apply transforms to a batch ``x`` ``(m, C, H, W)`` in ``[0, 1]``; clip.

    Built-in :class:`ImageTransform` objects get the whole batch and the
    generator; any other callable is torchvision-style: called on each image
    ``(C, H, W)`` under torch's global generator, seeded from ``generator``
    (and restored afterwards).
    """
    for t in transforms:
        if isinstance(t, ImageTransform):
            out = t(x, generator)
        elif callable(t):
            seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                out = torch.stack([torch.as_tensor(t(img)) for img in x])
            out = out.to(x.dtype)
        else:
            raise TypeError(
                f"A transform must be an ImageTransform or a callable; got {t!r}."
            )
        if tuple(out.shape) != tuple(x.shape):
            raise ValueError(
                f"The transform {t!r} changed the image shape from "
                f"{tuple(x.shape[1:])} to {tuple(out.shape[1:])}; transforms must "
                "keep it."
            )
        x = out
    return x.clamp(0.0, 1.0)


def mix_within_class(x, share, generator):
    """Replace ``share`` of the images by mixes of two images of the batch.

    ``x`` holds images of one class only, so the label stays hard; the mix
    weight of the first image is uniform on ``[0.5, 1]``.
    """
    m = len(x)
    if share <= 0 or m < 2:
        return x
    pick = torch.rand(m, generator=generator) < share
    partner = torch.randint(0, m, (m,), generator=generator)
    lam = 0.5 + 0.5 * torch.rand(m, generator=generator)
    mixed = lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * x[partner]
    return torch.where(pick[:, None, None, None], mixed, x)


def image_layout(shape, image_shape, who="ImageAugmentationSampler"):
    """The ``(C, H, W)`` of images given the array shape ``(n, ...)``."""
    rest = tuple(int(s) for s in shape[1:])
    if image_shape is not None:
        wanted = tuple(int(s) for s in image_shape)
        if len(wanted) not in (2, 3) or min(wanted) < 1:
            raise ValueError(
                f"image_shape must be (H, W) or (C, H, W) with positive sizes; "
                f"got {image_shape!r}."
            )
        chw = wanted if len(wanted) == 3 else (1, *wanted)
        if len(rest) == 1:
            if math.prod(chw) != rest[0]:
                raise ValueError(
                    f"image_shape={tuple(image_shape)} holds {math.prod(chw)} pixels "
                    f"but the rows of X have {rest[0]} values ({who})."
                )
        elif rest not in (chw, chw[1:]):
            raise ValueError(
                f"image_shape={tuple(image_shape)} does not match the images of X, "
                f"of shape {rest} ({who})."
            )
        return chw
    if len(rest) == 1:  # flat rows: square images, or 1 x d strips
        d = rest[0]
        side = math.isqrt(d)
        return (1, side, side) if side * side == d else (1, 1, d)
    if len(rest) == 2:
        return (1, *rest)
    if len(rest) == 3:
        return rest
    raise ValueError(
        f"X must hold images as (n, C, H, W), (n, H, W) or flat rows (n, d); got "
        f"an array of shape {tuple(shape)}."
    )


def check_images(X, who="ImageAugmentationSampler"):
    """``X`` as a numeric ndarray of images: mixed shapes, strings, NaN refused."""
    if sp.issparse(X):
        raise TypeError(f"{who} needs dense images; got a sparse matrix.")
    if isinstance(X, pd.DataFrame):  # densified; validate_data reads its names
        return X.astype(
            {c: t.subtype for c, t in X.dtypes.items() if isinstance(t, pd.SparseDtype)}
        )
    if isinstance(X, (list, tuple)):
        shapes = {np.shape(img) for img in X}
        if len(shapes) > 1:
            raise ValueError(
                f"Images of mixed shapes: X holds images of shapes "
                f"{sorted(shapes)[:4]}; {who} needs one shape (resize them first)."
            )
    return as_numeric(np.asarray(X), who)


def as_numeric(X, who):
    """``X`` with numeric pixels (object arrays of numbers converted)."""
    if X.dtype.kind in "OUSV":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{who} needs numeric pixels; X has values of dtype {X.dtype} that "
                f"are not numbers ({exc})."
            ) from None
    return X


class ImageAugmentationSampler(BaseOverSampler):
    """Over-sample minority classes with augmented copies of their images.

    Each new image of a class is one of its images passed through random
    label-preserving transforms (small rotations, translations and zooms,
    brightness and contrast, noise; flips and cutout on request) and, with
    ``mixup``, mixed with another augmented image of the same class, so the
    labels stay hard. Written in plain torch (no torchvision); a
    torchvision-style callable is a transform too. Images come as ``(n, C,
    H, W)``, ``(n, H, W)`` or flat rows ``(n, d)`` (their shape is
    ``image_shape``, or inferred: square images when ``d`` is a square,
    ``1 x d`` strips otherwise); the output has the input's layout and dtype.
    Transforms work on pixels scaled by the range seen in the data and the
    output is clipped to that range.

    Parameters
    ----------
    transforms : "default", list of transforms, callable or None, default="default"
        ``"default"``: :class:`RandomAffine` (10 degrees, 10% shifts, zoom
        0.9-1.1), :class:`RandomBrightnessContrast` (0.05, 0.1) and
        :class:`GaussianNoise` (0.02). A list of :class:`ImageTransform`
        objects (:class:`RandomFlip`, :class:`RandomCutout`, ...) and
        torchvision-style callables applied in order; ``None``: no transform
        (plain copies, or mixup only).
    mixup : float in [0, 1], default=0.0
        Share of the new images that are within-class mixes of two augmented
        images (weight of the first uniform on [0.5, 1]).
    sampling_strategy : float, str, dict or callable, default="auto"
        imbalanced-learn's semantics (``"auto"``: every class but the
        majority up to the majority's size).
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(C, H, W)`` of the images of flat rows; ``None``
        infers it.
    random_state : int, RandomState instance or None, default=None
        Seed of the choice of source images and of the transforms.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of images generated per class.
    image_shape_ : tuple of int
        The ``(C, H, W)`` of the images.
    pixel_range_ : tuple of float
        Smallest and largest pixel value of ``X``.
    n_features_in_ : int
        Size of the second axis of ``X``.

    See Also
    --------
    sksynth.samplers.BalancedSampler : class-balanced batches in skorch.
    sksynth.samplers.AugmentedImageDataset : fresh augmentations every epoch.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from sksynth.samplers import ImageAugmentationSampler
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(0, 16, size=(60, 64)).astype(np.float32)  # 8 x 8 images
    >>> y = np.array([0] * 50 + [1] * 10)
    >>> X_res, y_res = ImageAugmentationSampler(random_state=0).fit_resample(X, y)
    >>> Counter(y_res), X_res.shape, X_res.dtype
    (Counter({np.int64(0): 50, np.int64(1): 50}), (100, 64), dtype('float32'))
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "transforms": [StrOptions({"default"}), list, tuple, callable, None],
        "mixup": [Interval(numbers.Real, 0, 1, closed="both")],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        transforms="default",
        mixup=0.0,
        sampling_strategy="auto",
        image_shape=None,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.transforms = transforms
        self.mixup = mixup
        self.image_shape = image_shape
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        return {"random_state": 0, "mixup": 0.5}

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = check_images(X)
        X, y = validate_data(
            self,
            X,
            y,
            reset=True,
            allow_nd=True,
            dtype=None,
            ensure_all_finite=False,
        )
        X = as_numeric(X, type(self).__name__)
        if X.dtype.kind not in "biuf":
            raise TypeError(f"The pixels of X must be numbers; got dtype {X.dtype}.")
        if X.dtype.kind == "f":
            bad = ~np.isfinite(X)
            if bad.any():
                what = "NaN" if np.isnan(X).any() else "infinite"
                images = int(bad.reshape(len(X), -1).any(axis=1).sum())
                raise ValueError(
                    f"X has {what} pixels (in {images} images); "
                    f"{type(self).__name__} needs finite pixel values."
                )
        self.image_shape_ = image_layout(X.shape, self.image_shape)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        transforms = _resolve(self.transforms)
        lo, hi = float(X.min()), float(X.max())
        self.pixel_range_ = (lo, hi)
        span = (hi - lo) or 1.0
        y = np.asarray(y)
        X_parts, y_parts = [X], [y]
        generator = torch.Generator().manual_seed(draw_seed(rng))
        for cls, n in self.sampling_strategy_.items():
            if n <= 0:
                continue
            src = rng.choice(np.flatnonzero(y == cls), size=int(n), replace=True)
            imgs = X[src].reshape(int(n), *self.image_shape_).astype(np.float32)
            x = torch.from_numpy((imgs - lo) / span)
            x = apply_transforms(x, transforms, generator)
            x = mix_within_class(x, self.mixup, generator)
            new = x.numpy().astype(np.float64) * span + lo
            if X.dtype.kind in "biu":
                new = np.round(new)
            new = np.clip(new, lo, hi).astype(X.dtype).reshape(int(n), *X.shape[1:])
            X_parts.append(new)
            y_parts.append(np.full(int(n), cls, dtype=y.dtype))
        return np.concatenate(X_parts), np.concatenate(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        return tags
