"""Helpers for the hands-on GAN course.

Small, flat modules (each one has an ``__all__``):

- :mod:`gan_helpers.data` -- MNIST (offline subset or full), text corpora, 2-D toy distributions.
- :mod:`gan_helpers.params` -- papermill parameter validation and the course's quick mode.
- :mod:`gan_helpers.losses` -- GAN losses (minimax, non-saturating).
- :mod:`gan_helpers.models` -- generator and discriminator builders (MLP GAN, DCGAN).
- :mod:`gan_helpers.training` -- a ``keras.Model`` GAN trained by ``fit``; live monitor,
  per-epoch image metrics and resumable checkpoints as callbacks.
- :mod:`gan_helpers.metrics` -- distances between sample sets, mode coverage, classifier FID
  and score on MNIST.
- :mod:`gan_helpers.plotting` -- scatter frames, image grids and curves used by several notebooks.
- :mod:`gan_helpers.widgets` -- ipywidgets helpers that also run headless.

Importing the package never seeds random generators and never touches the network.
"""

from gan_helpers.data import load_mnist, load_text, ring_of_gaussians, grid_of_gaussians

__version__ = "0.1.0"

__all__ = ["load_mnist", "load_text", "ring_of_gaussians", "grid_of_gaussians", "__version__"]
