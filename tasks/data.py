"""The data sets of the tasks, from scikit-learn (bundled files and generators: no network at run time).

Each loader returns a :class:`~tasks.base.Dataset` split once into train and test (stratified, seeded), with
features standardised by the train split's mean and standard deviation (a feature constant on the train split,
such as a digit image's always-blank corner pixel, is only centred). Results are cached per process and
read-only.
"""

from __future__ import annotations

import functools

import numpy as np

from tasks.base import Dataset

DIGITS_EXAMPLES = 1797  # the size of sklearn.datasets.load_digits (tests/test_tasks.py checks it)

# scikit-learn is imported where it is used: importing it takes about 2 s, which a process that never loads a
# task's data (the surfaces' page and command line) should not pay.


def split_and_standardise(
    x: np.ndarray, y: np.ndarray, *, test_fraction: float, split_seed: int, num_classes: int
) -> Dataset:
    """A stratified, seeded train/test split with features standardised by the train statistics."""
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        np.asarray(x, np.float64),
        np.asarray(y, np.int32),
        test_size=test_fraction,
        random_state=split_seed,
        stratify=y,
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0.0] = 1.0
    arrays = [(x_train - mean) / std, y_train, (x_test - mean) / std, y_test]
    for array in arrays:
        array.setflags(write=False)
    return Dataset(*arrays, num_classes=num_classes)


@functools.lru_cache(maxsize=1)
def _digits_images() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)  # files shipped inside the scikit-learn wheel
    return x, y


@functools.lru_cache(maxsize=16)
def digits(test_fraction: float = 0.25, split_seed: int = 0) -> Dataset:
    """The UCI handwritten digits: 1,797 images of 8 × 8 pixels (64 features, values 0–16), 10 classes.

    References:
        Alpaydin & Kaynak, Optical Recognition of Handwritten Digits, UCI Machine Learning Repository, 1998;
        ``sklearn.datasets.load_digits``.
    """
    x, y = _digits_images()
    return split_and_standardise(x, y, test_fraction=test_fraction, split_seed=split_seed, num_classes=10)


@functools.lru_cache(maxsize=16)
def moons(
    n_samples: int = 1000, noise: float = 0.2, data_seed: int = 0, test_fraction: float = 0.25, split_seed: int = 0
) -> Dataset:
    """Two interleaving half circles in the plane with Gaussian noise: 2 features, 2 classes.

    References:
        ``sklearn.datasets.make_moons``.
    """
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=n_samples, noise=noise, random_state=data_seed)
    return split_and_standardise(x, y, test_fraction=test_fraction, split_seed=split_seed, num_classes=2)
