"""On-the-fly augmentation for skorch: balanced batches, fresh images per epoch.

imbalanced-learn has balanced batch generators for Keras and TensorFlow; these
are the PyTorch ones, made for skorch's ``iterator_train`` and ``fit(dataset)``:

* :class:`BalancedSampler`, a ``torch.utils.data.Sampler`` for
  ``iterator_train__sampler=``: every epoch draws indices so that each class
  is equally likely (with replacement), freshly each epoch, seeded;
* :class:`AugmentedImageDataset`, a ``torch.utils.data.Dataset`` of images
  whose every access passes the image through random transforms, so each
  epoch sees new augmentations of the same training images.

Together::

    net = NeuralNetClassifier(
        CNN, train_split=None,
        iterator_train__sampler=BalancedSampler(y_train, random_state=0),
        iterator_train__shuffle=False,  # the sampler shuffles
    )
    net.fit(AugmentedImageDataset(X_train, y_train, random_state=0), y=None)
    net.predict(X_test)  # plain arrays: no augmentation at prediction

The sampler's indices refer to the training dataset as it is given to the
loader: with skorch's default ``train_split`` the training part is a subset
of it, so use ``train_split=None`` (or build the sampler on the labels of the
training part).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils import check_random_state
from torch.utils.data import Dataset, Sampler

from ..utils._random import draw_seed
from ._image import (
    _resolve,
    apply_transforms,
    as_numeric,
    check_images,
    image_layout,
)

__all__ = ["AugmentedImageDataset", "BalancedSampler"]


class BalancedSampler(Sampler):
    """Class-balanced random indices for a torch ``DataLoader`` (skorch).

    Each epoch yields ``num_samples`` indices drawn with replacement, each
    row weighted by one over its class's size, so every class fills about
    the same share of each batch. The draws differ between epochs and are
    the same for the same ``random_state``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of the training rows, in the order of the dataset.
    num_samples : int, default=None
        Indices per epoch (default: ``len(y)``).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from sksynth.samplers import BalancedSampler
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> idx = list(BalancedSampler(y, num_samples=1000, random_state=0))
    >>> counts = Counter(y[idx].tolist())
    >>> bool(abs(counts[0] - counts[1]) < 100)
    True
    """

    def __init__(self, y, num_samples=None, random_state=None):
        y = np.asarray(y)
        if y.ndim != 1 or len(y) == 0:
            raise ValueError(
                f"BalancedSampler needs a non-empty 1-D array of labels; got shape "
                f"{y.shape}."
            )
        if num_samples is not None and (
            isinstance(num_samples, bool)
            or int(num_samples) != num_samples
            or num_samples < 1
        ):
            raise ValueError(
                f"num_samples must be an integer >= 1; got {num_samples!r}."
            )
        self.y = y
        self.num_samples = len(y) if num_samples is None else int(num_samples)
        self.random_state = random_state
        _, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
        w = 1.0 / counts[inverse.ravel()]
        self._p = w / w.sum()
        self._rng = check_random_state(random_state)

    def __len__(self):
        return self.num_samples

    def __iter__(self):
        idx = self._rng.choice(len(self.y), size=self.num_samples, p=self._p)
        return iter(idx.tolist())


class AugmentedImageDataset(Dataset):
    """Images that are freshly augmented every time they are read.

    A torch dataset of ``(image, label)`` pairs for training a skorch (or
    plain torch) classifier: every ``__getitem__`` passes the image through
    the transforms of :class:`~sksynth.samplers.ImageAugmentationSampler`
    (plain torch, seeded), so each epoch sees new variants. Images keep the
    layout they were given in (flat rows stay flat) as float32 tensors.
    Pass it to ``net.fit(dataset, y=None)``; predict on the plain arrays.
    Seeded draws assume one loader worker (``num_workers=0``, skorch's
    default).

    Parameters
    ----------
    X : array-like of images
        ``(n, C, H, W)``, ``(n, H, W)`` or flat rows ``(n, d)``.
    y : array-like of shape (n,), default=None
        Labels (``None``: items are images only).
    transforms : "default", list of transforms, callable or None, default="default"
        As for :class:`~sksynth.samplers.ImageAugmentationSampler`.
    image_shape : tuple of int, default=None
        ``(H, W)`` or ``(C, H, W)`` of flat rows (``None``: inferred).
    random_state : int, RandomState instance or None, default=None
        Seed of the transforms.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.samplers import AugmentedImageDataset
    >>> X = np.random.RandomState(0).uniform(0, 16, size=(10, 64))
    >>> ds = AugmentedImageDataset(X, np.arange(10), random_state=0)
    >>> x0, y0 = ds[0]
    >>> tuple(x0.shape), x0.dtype, int(y0)
    ((64,), torch.float32, 0)
    >>> bool((ds[0][0] != x0).any())  # a new augmentation at each read
    True
    """

    def __init__(
        self, X, y=None, *, transforms="default", image_shape=None, random_state=None
    ):
        who = "AugmentedImageDataset"
        X = as_numeric(np.asarray(check_images(X, who=who)), who)
        if X.ndim < 2 or X.dtype.kind not in "biuf":
            raise ValueError(
                f"AugmentedImageDataset needs a numeric array of images; got shape "
                f"{X.shape} and dtype {X.dtype}."
            )
        if not np.isfinite(X).all():
            raise ValueError(
                "X has NaN or infinite pixels: AugmentedImageDataset "
                "needs finite pixel values."
            )
        if y is not None and len(y) != len(X):
            raise ValueError(f"X has {len(X)} images but y has {len(y)} labels.")
        self.X = X
        self.y = None if y is None else np.asarray(y)
        self.image_shape = image_layout(X.shape, image_shape, "AugmentedImageDataset")
        self.transforms = _resolve(transforms)
        self.lo, self.hi = float(X.min()), float(X.max())
        self.generator = torch.Generator().manual_seed(draw_seed(random_state))

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        span = (self.hi - self.lo) or 1.0
        img = torch.as_tensor(
            (self.X[i].reshape(1, *self.image_shape) - self.lo) / span,
            dtype=torch.float32,
        )
        img = apply_transforms(img, self.transforms, self.generator)
        out = (img * span + self.lo).reshape(self.X.shape[1:])
        if self.y is None:
            return out
        return out, torch.as_tensor(self.y[i])
