"""
A skorch CNN on imbalanced digits: copies, augmented images, augmented batches
==============================================================================

scikit-learn's bundled 8 x 8 digits, with one class (the 8s) kept at 5% of
its training images. The same small CNN is trained on the imbalanced images,
on imblearn's ``RandomOverSampler`` output (copies of the few 8s), on the
output of :class:`~sksynth.samplers.ImageAugmentationSampler` (new 8s made by
small rotations, shifts, zooms, colour jitter and noise, in plain torch), and
on balanced, freshly augmented batches (``BalancedSampler`` +
``AugmentedImageDataset``: nothing is stored, every epoch sees new images).
``benchmarks/bench_augmentation.py`` runs the same comparison over 5 seeds.
"""

# %%
# The imbalanced training set
# ---------------------------
import os

import matplotlib.pyplot as plt
import numpy as np
import torch
from imblearn.over_sampling import RandomOverSampler
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from skorch import NeuralNetClassifier
from torch import nn

from sksynth.samplers import (
    AugmentedImageDataset,
    BalancedSampler,
    ImageAugmentationSampler,
)

QUICK = bool(os.environ.get("SKSYNTH_EXAMPLE_QUICK"))
EPOCHS = 3 if QUICK else 20
torch.set_num_threads(1)

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
rng = np.random.RandomState(0)
eights = np.flatnonzero(y_train == 8)
keep = y_train != 8
keep[rng.choice(eights, 4, replace=False)] = True
X_train, y_train = X_train[keep], y_train[keep]
print("training images per class:", np.bincount(y_train))

# %%
# New 8s from the four real ones
# ------------------------------
sampler = ImageAugmentationSampler(random_state=0)
X_aug, y_aug = sampler.fit_resample(X_train, y_train)
new_eights = X_aug[len(X_train) :][y_aug[len(X_train) :] == 8]
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, img in zip(axes[0], np.concatenate([X_train[y_train == 8], new_eights[:4]])):
    ax.imshow(img.reshape(8, 8), cmap="gray_r")
for ax, img in zip(axes[1], new_eights[4:12]):
    ax.imshow(img.reshape(8, 8), cmap="gray_r")
for ax in axes.ravel():
    ax.set_axis_off()
fig.suptitle("the 4 real 8s, then augmented ones")
plt.show()


# %%
# The same CNN on each training set
# ---------------------------------
class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 16, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, X):
        return self.layers(X.reshape(-1, 1, 8, 8) / 16)


def make_net(**kwargs):
    torch.manual_seed(0)
    return NeuralNetClassifier(
        CNN,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=64,
        max_epochs=EPOCHS,
        train_split=None,
        verbose=0,
        **kwargs,
    )


X_ros, y_ros = RandomOverSampler(random_state=0).fit_resample(X_train, y_train)
scores = {}
for name, (Xf, yf) in {
    "no resampling": (X_train, y_train),
    "RandomOverSampler": (X_ros, y_ros),
    "ImageAugmentationSampler": (X_aug, y_aug),
}.items():
    net = make_net().fit(Xf, yf.astype(np.int64))
    scores[name] = balanced_accuracy_score(y_test, net.predict(X_test))

# balanced, freshly augmented batches: no resampled copy is stored
net = make_net(
    iterator_train__sampler=BalancedSampler(y_train, random_state=0),
    iterator_train__shuffle=False,
)
net.fit(AugmentedImageDataset(X_train, y_train, random_state=0), y=None)
scores["balanced augmented batches"] = balanced_accuracy_score(
    y_test, net.predict(X_test)
)
for name, score in scores.items():
    print(f"{name:28s} balanced accuracy {score:.3f}")
