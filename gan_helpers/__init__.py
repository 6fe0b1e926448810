"""Helpers for the hands-on GAN course.

Small, flat modules (each one has an ``__all__``):

- :mod:`gan_helpers.data` -- MNIST (offline subset or full), text corpora, 2-D toy distributions.
- :mod:`gan_helpers.params` -- papermill parameter validation and the course's quick mode.
- :mod:`gan_helpers.losses` -- GAN losses (minimax, non-saturating, one-sided label smoothing,
  Wasserstein with gradient penalty, hinge, the R1 penalty, the unrolled GAN's generator loss).
- :mod:`gan_helpers.models` -- generator and discriminator builders (MLP GAN, DCGAN, toy MLPs with
  PacGAN packing and the minibatch standard deviation feature; spectral normalization as a switch).
- :mod:`gan_helpers.dirac` -- the Dirac GAN (a two-number game): its vector field, gradient-descent
  trajectories with and without a gradient penalty, eigenvalues at the equilibrium, one figure.
- :mod:`gan_helpers.augment` -- DiffAugment (colour, translation, cutout; differentiable, applied to
  real and fake images) and the truncation trick, for notebook 08.
- :mod:`gan_helpers.translation` -- image-to-image translation on digits (notebook 07): the paired
  tasks, the thick-stroke style, a U-Net generator, a PatchGAN and its receptive field, sharpness
  and ink measures.
- :mod:`gan_helpers.training` -- a ``keras.Model`` GAN trained by ``fit``; live monitor,
  per-epoch image metrics and resumable checkpoints as callbacks.
- :mod:`gan_helpers.metrics` -- distances between sample sets, mode coverage, classifier FID
  and score on MNIST.
- :mod:`gan_helpers.plotting` -- scatter frames, image grids and curves used by several notebooks.
- :mod:`gan_helpers.widgets` -- ipywidgets helpers that also run headless.
- :mod:`gan_helpers.checks` -- the exercises' self-checks (each can say "not yet, because ...").
- :mod:`gan_helpers.logs` -- hides TensorFlow's known-harmless start-up log lines in notebooks.
- :mod:`gan_helpers.grammar` -- the course's small probabilistic grammar: sentence sampler, exact
  recognizer (grammar validity of generated text) and the shipped corpus.
- :mod:`gan_helpers.text` -- text corpora for sequence models and text metrics (novelty, n-gram
  validity, distinct-n, self-BLEU).
- :mod:`gan_helpers.text_gan` -- Gumbel-softmax, a GRU generator and a one-hot reading
  discriminator, MLE and GAN train steps (imports TensorFlow).

Importing the package never seeds random generators and never touches the network.
"""

from gan_helpers.data import load_mnist, load_text, ring_of_gaussians, grid_of_gaussians

__version__ = "0.1.0"

__all__ = ["load_mnist", "load_text", "ring_of_gaussians", "grid_of_gaussians", "__version__"]
