"""Numbers quoted in a notebook's markdown agree with the committed run's outputs.

Markdown may quote a measured number ("the DCGAN reached a classifier FID of 5.11"). Each such
quote is declared below as a pair of regular expressions with one group each: one finds the
number in the notebook's markdown, the other in the printed outputs of its committed run. The
test fails when the two differ (after rounding the output to the markdown's decimals), when the
markdown quote has gone, or when the output no longer prints the number.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

# notebook -> [(markdown regex, output regex)]; each regex has exactly one group: the number.
QUOTES: dict[str, list[tuple[str, str]]] = {
    "01_gan_concepts.ipynb": [
        # section 3: the loss of section 3's discriminator is not quoted; D* at the centre of the fakes is (section 4)
        (r"its optimum is \$D\^\* = ([\d.]+)\$ at \$x = -0\.5\$",
         r"x = -0\.5:  p_data = [\d.]+  p_g = [\d.]+  D\*\(x\) = ([\d.]+)"),
        (r"\(\$D\^\* = ([\d.]+)\$ at the centre of the fakes\)",
         r"x = -0\.5:  p_data = [\d.]+  p_g = [\d.]+  D\*\(x\) = ([\d.]+)"),
        # section 3.1: the JSD of distributions that do not overlap
        (r"the table prints a JSD of ([\d.]+)", r"\n 0\.0  ([\d.]+)  "),
        # section 3.2: covering or seeking modes (the mixtures at +-2 and +-3; +-1 is not quoted)
        (r"The data themselves have ([\d.]+)% of their mass there",
         r"modes at -2 and \+2 \(std 0\.5\); off-mode mass of the data: ([\d.]+)%"),
        (r"The data themselves have ([\d.]+)% of their mass there",
         r"modes at -3 and \+3 \(std 0\.5\); off-mode mass of the data: ([\d.]+)%"),
        (r"off the modes \(([\d.]+)% and [\d.]+%\)",
         r"modes at -2 and \+2[^\n]*\n\s*forward KL[^\n]*off-mode mass\s*([\d.]+)%"),
        (r"off the modes \([\d.]+% and ([\d.]+)%\)",
         r"modes at -3 and \+3[^\n]*\n\s*forward KL[^\n]*off-mode mass\s*([\d.]+)%"),
        (r"no data \(([\d.]+)%, as much as the data\)",
         r"modes at -2 and \+2[^\n]*\n[^\n]*\n\s*reverse KL\(q \|\| p_data\)[^\n]*off-mode mass\s*([\d.]+)%"),
        # section 4: the push
        (r"peaks at \$x \\approx ([\d.]+)\$", r"log\(p_data / p_g\) is largest at x = ([\d.]+)"),
        (r"the trained \$D\$ and \$D\^\*\$ both print ([\d.]+)", r"x = -2\.0 +([\d.]+) +\+"),
        (r"the trained \$D\$ and \$D\^\*\$ both print ([\d.]+)", r"x = -2\.0 [^\n]*\|  ([\d.]+) +\+"),
        (r"the trained push is ([\d.]+) against", r"x = -2\.0 +[\d.]+ +\+([\d.]+)"),
        (r"against ([\d.]+) for \$D\^\*\$", r"x = -2\.0 [^\n]*\|  [\d.]+ +\+([\d.]+)"),
        # section 5: the 1-D run; best and final distance, the last frame's width
        (r"the distance was best at step (\d+)", r"Wasserstein-1 distance: start [\d.]+, best [\d.]+ \(step (\d+)\)"),
        (r"the distance was best at step \d+, ([\d.]+)", r"Wasserstein-1 distance: start [\d.]+, best ([\d.]+)"),
        (r"then had std ([\d.]+)", r"generated samples at step 1250: mean [\d.]+, std ([\d.]+)"),
        (r"rose again to ([\d.]+) at the last frame", r"Wasserstein-1 distance: start .*, final ([\d.]+)"),
        (r"off-centre \(std ([\d.]+)", r"generated samples at step 1500: mean [\d.]+, std ([\d.]+)"),
        (r"off-centre \(std [\d.]+, mean ([\d.]+)\)", r"generated samples at step 1500: mean ([\d.]+)"),
        # section 5: the real data against themselves (section 7's table, column "real data")
        (r"2,000 real samples are already ([\d.]+) apart",
         r"1-D Wasserstein-1 +[\d.]+ +[\d.]+ \(\d+\) +[\d.]+ +([\d.]+)\n"),
        # section 5: the trained D at the end against D* for the last frame
        (r"far from \$\\tfrac12\$: ([\d.]+) at \$x = 3\.0\$",
         r"x = 3\.0:  trained D [\d.]+   D\* for the last frame ([\d.]+)"),
        (r"but ([\d.]+) at \$x = 2\.5\$", r"x = 2\.5:  trained D [\d.]+   D\* for the last frame ([\d.]+)"),
        (r"and ([\d.]+) at \$x = 4\.0\$", r"x = 4\.0:  trained D [\d.]+   D\* for the last frame ([\d.]+)"),
        (r"The trained \$D\$ stays between ([\d.]+) and", r"trained D from x = 2\.5 to 4\.0: between ([\d.]+) and"),
        (r"The trained \$D\$ stays between [\d.]+ and ([\d.]+)",
         r"trained D from x = 2\.5 to 4\.0: between [\d.]+ and ([\d.]+)"),
        # section 6: what a Gaussian's own samples reach
        (r"\$1 - e\^\{-4\.5\} \\approx\$ ([\d.]+)%", r"expected 1 - exp\(-4\.5\) = ([\d.]+)%"),
        # section 6: the median push, from the table of the game
        (r"from ([\d.]+) at step 0 it grows", r"\n +0 +[\d.]+ +[\d.]+ +([\d.]+)\n"),
        (r"it grows to between ([\d.]+) and [\d.]+ from step 750", r"\n +750 +[\d.]+ +[\d.]+ +([\d.]+)\n"),
        (r"it grows to between [\d.]+ and ([\d.]+) from step 750", r"\n +2250 +[\d.]+ +[\d.]+ +([\d.]+)\n"),
        (r"at the last measurement it is ([\d.]+)\.", r"\n +3000 +[\d.]+ +[\d.]+ +([\d.]+)\n"),
        # section 6 and solution 2: the lowest mean of D on generated samples
        (r"the mean of \$D\$ on generated samples never fell below ([\d.]+)", r"lowest mean D\(fake\): ([\d.]+)"),
        (r"its mean on generated samples never fell below (\d+\.\d+)", r"lowest mean D\(fake\): ([\d.]+)"),
        # summary: section 3's trained discriminator, section 7's modes
        (r"came within ([\d.]+) of \$D\^\*\$", r"max \|D - D\*\| where there is data: ([\d.]+)"),
        (r"this run captured all (\d+) modes by the end", r"2-D modes captured \(of \d+\) +\d+ +\d+ \(\d+\) +(\d+)"),
    ],
    "02_mlp_gan.ipynb": [
        # section 1: the split (cell "training images: ...")
        (r"(\d,\d{3}) train the GAN", r"training images: \((\d+),"),
        (r"(\d,\d{3}) are held out", r"held-out images: \((\d+),"),
        # section 3: the first step, measured before it and run
        (r"real digits \(\$D\(x\)\$ = ([\d.]+)\)", r"before the step: D\(x\) = ([\d.]+)"),
        (r"more\* real \(\$D\(G\(z\)\)\$ = ([\d.]+)\)", r"and D\(G\(z\)\) = ([\d.]+) on average"),
        (r"above \$\\log 2\$ \(([\d.]+) and", r"-log D\(x\) = ([\d.]+)"),
        (r"above \$\\log 2\$ \([\d.]+ and ([\d.]+)\)", r"-log\(1 - D\(G\(z\)\)\) = ([\d.]+)"),
        (r"\$d\\_loss\$ = ([\d.]+) instead of", r"d_loss ([\d.]+) \(2 log 2"),
        (r"The lean alone gives ([\d.]+) \+", r"if every image got the mean D: -log D\(x\) = ([\d.]+)"),
        (r"The lean alone gives [\d.]+ \+ ([\d.]+)", r"-log\(1 - D\(G\(z\)\)\) = ([\d.]+), together"),
        (r"The lean alone gives [\d.]+ \+ [\d.]+ = ([\d.]+)", r"together ([\d.]+); the spread"),
        (r"adds the remaining ([\d.]+),", r"from image to image adds ([\d.]+)"),
        (r"first update: ([\d.]+), just below", r"g_loss ([\d.]+) \(log 2"),
        # section 5: the evaluator and the real reference
        (r"reads ([\d.]+) % of the held-out", r"evaluator: ([\d.]+)% of the"),
        # section 7: the losses, epoch by epoch
        (r"in epoch 2, \$D\(x\)\$ = ([\d.]+)", r"epoch +2: d_loss [\d.]+, g_loss [\d.]+, D\(x\) ([\d.]+)"),
        (r"and \$D\(G\(z\)\)\$ = ([\d.]+) on average, so",
         r"epoch +2: d_loss [\d.]+, g_loss [\d.]+, D\(x\) [\d.]+, D\(G\(z\)\) ([\d.]+)"),
        (r"falls to ([\d.]+) while", r"epoch +2: d_loss ([\d.]+)"),
        (r"climbs to ([\d.]+)\.", r"epoch +2: d_loss [\d.]+, g_loss ([\d.]+)"),
        (r"coin-flip values: \$D\(x\)\$ = ([\d.]+),", r"epoch +10: d_loss [\d.]+, g_loss [\d.]+, D\(x\) ([\d.]+)"),
        (r"coin-flip values: \$D\(x\)\$ = [\d.]+, \$D\(G\(z\)\)\$ = ([\d.]+),",
         r"epoch +10: d_loss [\d.]+, g_loss [\d.]+, D\(x\) [\d.]+, D\(G\(z\)\) ([\d.]+)"),
        (r"\$D\(G\(z\)\)\$ = [\d.]+, \$d\\_loss\$ = ([\d.]+), \$g\\_loss\$", r"epoch +10: d_loss ([\d.]+)"),
        (r"\$d\\_loss\$ = [\d.]+, \$g\\_loss\$ = ([\d.]+)\. \*\*After", r"epoch +10: d_loss [\d.]+, g_loss ([\d.]+)"),
        (r"\$d\\_loss\$ averages ([\d.]+)", r"last 10 epochs, mean: d_loss ([\d.]+)"),
        (r"and \$g\\_loss\$ ([\d.]+), with", r"last 10 epochs, mean: d_loss [\d.]+, g_loss ([\d.]+)"),
        (r"with \$D\(x\)\$ = ([\d.]+) and \$D", r"last 10 epochs, mean: d_loss [\d.]+, g_loss [\d.]+, D\(x\) ([\d.]+)"),
        (r"and \$D\(G\(z\)\)\$ = ([\d.]+): the discriminator keeps",
         r"last 10 epochs, mean: d_loss [\d.]+, g_loss [\d.]+, D\(x\) [\d.]+, D\(G\(z\)\) ([\d.]+)"),
        # the final measurement
        (r"digit (\d) is the rarest", r"class shares: fewest [\d.]+ \(digit (\d)\)"),
        (r"is the rarest \(share ([\d.]+)\)", r"class shares: fewest ([\d.]+)"),
        (r"digit (\d) the most common", r"class shares: fewest .*, most [\d.]+ \(digit (\d)\)"),
        (r"the most common \(([\d.]+)\)", r"class shares: fewest .*, most ([\d.]+)"),
        (r"The FID is ([\d.]+), ", r"MLP GAN +([\d.]+) +[\d.]+ +[\d.]+-[\d.]+"),
        (r"The FID is [\d.]+, ([\d.]+) above", r"FID difference to the real reference: ([\d.]+)"),
        (r"real digits' and ([\d.]+)× theirs", r"FID ratio to the real reference: ([\d.]+)x"),
        (r"and the score (\d+) % of theirs", r"score: (\d+)% of the real"),
        (r"differ from the final value by up to ([\d.]+)", r"largest difference from the final FID: ([\d.]+)"),
        (r"so a ratio like ([\d.]+)× holds", r"FID ratio to the real reference: ([\d.]+)x"),
        # section 8: precision and recall, the copier, the memorization check
        (r"uniform noise gets ([\d.]+), because", r"uniform noise +precision ([\d.]+)"),
        (r"Its recall of ([\d.]+) is what", r"uniform noise +precision [\d.]+ +recall ([\d.]+)"),
        (r"The MLP GAN's precision, ([\d.]+), lies", r"MLP GAN +precision ([\d.]+)"),
        (r"noise's and the real digits' ([\d.]+):", r"real held-out digits +precision ([\d.]+)"),
        (r"Its recall, ([\d.]+) against", r"MLP GAN +precision [\d.]+ +recall ([\d.]+)"),
        (r"Its recall, [\d.]+ against ([\d.]+), is", r"real held-out digits +precision [\d.]+ +recall ([\d.]+)"),
        (r"over (\d+) draws its FID ranged", r"the copier over (\d+) draws"),
        (r"its FID ranged from ([\d.]+) to", r"the copier over \d+ draws: FID ([\d.]+)-"),
        (r"its FID ranged from [\d.]+ to ([\d.]+)", r"the copier over \d+ draws: FID [\d.]+-([\d.]+)"),
        (r"around the real digits' ([\d.]+) \(below", r"real held-out digits \(\d+\): classifier FID ([\d.]+)"),
        (r"\(below it in (\d+) of them\)", r"below the real reference's [\d.]+ in (\d+)\)"),
        (r"clearly better \(([\d.]+) to", r"the copier over \d+ draws: FID .*, score ([\d.]+)-"),
        (r"clearly better \([\d.]+ to ([\d.]+) against", r"the copier over \d+ draws: FID .*, score [\d.]+-([\d.]+)"),
        (r"clearly better \([\d.]+ to [\d.]+ against ([\d.]+):", r"\(real: ([\d.]+)\)"),
        (r"slightly higher in this run \(([\d.]+) and", r"copy of the training set +[\d.]+ +[\d.]+ +([\d.]+) +[\d.]+\n"),
        (r"slightly higher in this run \([\d.]+ and ([\d.]+) against",
         r"copy of the training set +[\d.]+ +[\d.]+ +[\d.]+ +([\d.]+)\n"),
        (r"in this run \([\d.]+ and [\d.]+ against ([\d.]+) and", r"real held-out digits +precision ([\d.]+)"),
        (r"in this run \([\d.]+ and [\d.]+ against [\d.]+ and ([\d.]+)\)",
         r"real held-out digits +precision [\d.]+ +recall ([\d.]+)"),
        (r"median ratios ([\d.]+) in pixels", r"MLP GAN +([\d.]+) +[\d.]+ +[\d.]+% +[\d.]+% +(?:True|False)"),
        (r"in pixels and ([\d.]+) in features", r"MLP GAN +[\d.]+ +([\d.]+) +[\d.]+% +[\d.]+% +(?:True|False)"),
        (r"Its near copies: ([\d.]+) % in pixels", r"MLP GAN +[\d.]+ +[\d.]+ +([\d.]+)% +[\d.]+% +(?:True|False)"),
        (r"in pixels and ([\d.]+) % in features", r"MLP GAN +[\d.]+ +[\d.]+ +[\d.]+% +([\d.]+)% +(?:True|False)"),
        (r"% in features \((\d+) of \d+ digits\)", r"in features: distances .* near copies: (\d+) of"),
        (r"% in features \(\d+ of (\d+) digits\)", r"in features: distances .* near copies: \d+ of (\d+)"),
        (r"no more than the ([\d.]+) % that", r"real held-out digits +[\d.]+ +[\d.]+ +[\d.]+% +([\d.]+)% +(?:True|False)"),
        (r"the evaluator reads (\d) of the 8 as 1s", r"\((\d) of the 8 are 1s\)"),
        (r"In features, the first (\d+) of the second", r"in features: distances .* near copies: (\d+) of"),
    ],
    "05_failure_modes.ipynb": [
        # section 1: what real data score, and the rebuilt PacGAN GAN (committed bench/reference/fixes_05.json)
        (r"Real data score about \*\*([\d.]+) %\*\* high quality", r"= ([\d.]+)% of its mass within 3 std"),
        (r"real data score about ([\d.]+), not 1", r"fair-share score of real data \(20 draws of 2,500\): ([\d.]+)"),
        # the live cross-check compares the two losses at the same rates
        (r"fair share ([\d.]+) against [\d.]+, 3 seeds each", r"\nvanilla +([\d.]+) ± [\d.]+ +[\d.]+ +[\d.]+ ±"),
        (r"fair share [\d.]+ against ([\d.]+), 3 seeds each", r"\nnonsaturating +([\d.]+) ± [\d.]+ +[\d.]+ +[\d.]+ ±"),
        (r"cross-check below compares them at the same rates \(([\d.]+) against",
         r"\nvanilla +([\d.]+) ± [\d.]+ +[\d.]+ +[\d.]+ ±"),
        (r"real data score about ([\d.]+) \(section 1\), a generator",
         r"fair-share score of real data \(20 draws of 2,500\): ([\d.]+)"),
        (r"a mean of ([\d.]+) grid modes", r"grid: modes \[[\d, ]+\] \(mean ([\d.]+)\)"),
        (r"about (\d+) CPU-minutes per seed", r"would take about (\d+) CPU-minutes per seed"),
        (r"about ([\d.]+) CPU-hours per seed", r"the paper's 400,000 about ([\d.]+) CPU-hours"),
        # section 4: the minimax gradient, and the minimax generator catching up in section 3's run
        (r"about ([\d,]+) times smaller", r"the minimax gradient is ([\d,]+)x smaller"),
        (r"captured for the first time at step (\d+)", r"all 8 modes captured for the first time at step (\d+)"),
        # section 6: the committed equal-terms table, its sweep, and the unrolled GAN's cost measured in section 2
        (r"(\d+) of \d+ sweeps never reached", r"(\d+) of \d+ sweeps never reached"),
        (r"\d+ of (\d+) sweeps never reached", r"\d+ of (\d+) sweeps never reached"),
        (r"and (\d+) of \d+ kept a rate at an edge", r"(\d+) of \d+ kept a rate at an edge"),
        (r"in 1,000 steps \(real data: ([\d.]+)\)", r"\(real data ([\d.]+)\); \d+ of"),
        (r"vanilla's sweep there reached only ([\d.]+)", r"broken / vanilla +\S+ +\S+ +([\d.]+) +[\d.]+ ±"),
        (r"The non-saturating loss scored ([\d.]+) at the rate", r"broken / nonsaturating +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"`pacgan` \(([\d.]+)\) and the `recipe`", r"broken / pacgan +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"and the `recipe` \(([\d.]+)\)\. Below it", r"broken / recipe +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"Below it: R1 \(([\d.]+)\)", r"broken / r1 +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"and the unrolled GAN \(([\d.]+)\) stayed within", r"broken / unrolled +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"`ttur` \(([\d.]+)\) sets its own ratio", r"broken / ttur +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"shown to differ from vanilla \(([\d.]+)\)", r"broken / minibatch-std +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"`vanilla` reaches ([\d.]+) and covers", r"healthy / vanilla +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"`lr-decay` \(([\d.]+)\) and the `recipe`", r"healthy / lr-decay +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"and the `recipe` \(([\d.]+)\), and the `recipe` was not", r"healthy / recipe +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"spread ([\d.]+) for the `recipe`", r"healthy / recipe .*?([\d.]+)  helps"),
        (r", ([\d.]+) for `lr-decay`", r"healthy / lr-decay .*?([\d.]+)  helps"),
        (r"([\d.]+) for the broken-setting `recipe`", r"broken / recipe .*?([\d.]+)  helps"),
        (r"R1 with \$\\gamma = 1\$ \(([\d.]+)\)", r"healthy / r1 +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"and the unrolled GAN \(([\d.]+)\) scored below", r"healthy / unrolled +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"WGAN-GP \(([\d.]+)\) and spectral", r"healthy / wgan-gp +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"spectral normalization \(([\d.]+)\) scored low", r"healthy / spectral-norm +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"broken setting \(([\d.]+), all 8 modes", r"broken / unrolled +\S+ +\S+ +[\d.]+ +([\d.]+) ±"),
        (r"costs ([\d.]+) times a plain step", r"the unrolled GAN costs ([\d.]+)x a plain step"),
        # section 6, the live rows
        (r"\(fair share ([\d.]+) against [\d.]+\), and the", r"\nvanilla +([\d.]+) ±"),
        (r"\(fair share [\d.]+ against ([\d.]+)\), and the", r"\nnonsaturating +([\d.]+) ±"),
        (r"the `recipe` reached ([\d.]+), close", r"\nrecipe +([\d.]+) ±"),
        (r"close to its committed ([\d.]+) at",
         r"\nrecipe +[\d.]+ ± [\d.]+ +[\d.]+ +[\d.]+ ± +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +([\d.]+) \("),
        # section 7: the rank correlations, and the noise floor of the distance
        (r"by far the most runs \((\d+), from", r"\nnon-saturating +(\d+) "),
        (r"two independent sets of 2,500 real samples are about ([\d.]+) apart",
         r"SWD between two independent sets of 2,500 real samples = ([\d.]+)"),
    ],
    "03_dcgan_mnist.ipynb": [
    ],
    "04_text_gan.ipynb": [
        # the header's run time: the committed run's own clock (the last cell)
        (r"the committed run took (\d+) s after imports", r"Notebook run time: (\d+) s \(after imports\)"),
        # section 3: straight-through's bias and spread against REINFORCE's
        (r"the exact gradient is ([\d.]+) at \$\\tau = 0\.5\$", r"straight-through, tau 0\.5 +\[[^\]]*\] +([\d.]+)"),
        (r"([\d.]+) at \$\\tau = 1\$ and", r"straight-through, tau 1\.0 +\[[^\]]*\] +([\d.]+)"),
        (r"and ([\d.]+) at \$\\tau = 2\$", r"straight-through, tau 2\.0 +\[[^\]]*\] +([\d.]+)"),
        (r"\(([\d.]+) at \$\\tau = 0\.5\$, [\d.]+ at", r"straight-through, tau 0\.5 +\[[^\]]*\] +[\d.]+ +([\d.]+)"),
        (r", ([\d.]+) at \$\\tau = 0\.1\$\)", r"straight-through, tau 0\.1 +\[[^\]]*\] +[\d.]+ +([\d.]+)"),
        (r"REINFORCE is unbiased \(a gap of ([\d.]+)", r"REINFORCE, baseline +\[[^\]]*\] +([\d.]+)"),
        (r"with a spread of ([\d.]+)\. Neither", r"REINFORCE, baseline +\[[^\]]*\] +[\d.]+ +([\d.]+)"),
        # section 7: the discriminators at the end of training
        (r"\(([\d.]+) on real and [\d.]+ on generated sentences", r"D\(real\) ([\d.]+), D\(fake\) [\d.]+"),
        (r"\([\d.]+ on real and ([\d.]+) on generated sentences", r"D\(real\) [\d.]+, D\(fake\) ([\d.]+)"),
        (r"\(D\(real\) ([\d.]+), mean reward", r"D\(real\) ([\d.]+), D\(fake\) = mean reward"),
        (r"mean reward ([\d.]+) over the last 100", r"D\(fake\) = mean reward ([\d.]+)"),
        # section 8: the one-run comparison at matched quality
        (r"at \$T = 1\$ \(([\d.]+) % against", r"GAN, T=1: +grammatical ([\d.]+)%"),
        (r"at \$T = 1\$ \([\d.]+ % against ([\d.]+) %\)", r"\(grid\): grammatical ([\d.]+)%"),
        (r"shorter sentences \(([\d.]+) tokens against", r"GAN, T=1: .*length ([\d.]+)"),
        (r"tokens against ([\d.]+)\)\. At the same", r"\(grid\): .*length ([\d.]+)"),
        (r"T\^\* \\approx ([\d.]+)\$\)", r"MLE, T\*=([\d.]+):"),
        (r"a difference of ([−-][\d.]+), within", r"self-BLEU difference GAN - MLE at T\*: ([+-][\d.]+)"),
        (r"noise band of ±([\d.]+)\)", r"noise tolerance \+-([\d.]+)"),
        (r"looks more diverse \(([\d.]+) against", r"GAN, T=1: .*distinct-2 ([\d.]+),"),
        (r"looks more diverse \([\d.]+ against ([\d.]+) at", r"MLE, T\*=[\d.]+: .*distinct-2 ([\d.]+) \(interpolated\)"),
        # section 8: the four generators at T = 1 (columns: quality, oracle NLL, test NLL, length, dist-2, sBLEU, =len x2)
        (r"distinct-2 from ([\d.]+) to", r"\nMLE" + r" +[\d.]+" * 6 + r" +([\d.]+)"),
        (r"distinct-2 from [\d.]+ to ([\d.]+)", r"\nGAN REINFORCE" + r" +[\d.]+" * 6 + r" +([\d.]+)"),
        (r"self-BLEU from ([\d.]+) to", r"\nadv\. loss off" + r" +[\d.]+" * 7 + r" +([\d.]+)"),
        (r"self-BLEU from [\d.]+ to ([\d.]+)\)", r"\nMLE" + r" +[\d.]+" * 7 + r" +([\d.]+)"),
        (r"over all its sentences \(([\d.]+) against", r"\nGAN straight-through" + r" +[\d.]+" * 4 + r" +([\d.]+)"),
        (r"against the MLE model's ([\d.]+)\)\. One run", r"\nMLE" + r" +[\d.]+" * 4 + r" +([\d.]+)"),
        (r"highest test NLL in this run \(([\d.]+) nats", r"\nGAN straight-through" + r" +[\d.]+" * 2 + r" +([\d.]+)"),
        (r"against ([\d.]+) for MLE and", r"\nMLE" + r" +[\d.]+" * 2 + r" +([\d.]+)"),
        (r"and ([\d.]+) for the control\)", r"\nadv\. loss off" + r" +[\d.]+" * 2 + r" +([\d.]+)"),
        (r"\(grammatical ([\d.]+), oracle NLL", r"\nGAN straight-through +([\d.]+)"),
        (r"oracle NLL ([\d.]+) against the MLE", r"\nGAN straight-through" + r" +[\d.]+" + r" +([\d.]+)"),
        (r"the MLE model's ([\d.]+) and [\d.]+\)\.", r"\nMLE +([\d.]+)"),
        (r"the MLE model's [\d.]+ and ([\d.]+)\)\.", r"\nMLE" + r" +[\d.]+" + r" +([\d.]+)"),
        (r"of the same sentences \(([\d.]+)\)", r"\nheld-out grammar sentences" + r" +[\d.]+" * 2 + r" +([\d.]+)"),
        # section 8: per sentence, test NLL and the grammar's NLL against the last training loss (section 5)
        (r"test NLL is ([\d.]+) nats, above the grammar's", r"the MLE model's test NLL ([\d.]+) nats"),
        (r"above the grammar's ([\d.]+), while", r"held-out sentences ([\d.]+) nats, the MLE"),
        (r"nats per training sentence, is ([\d.]+), \*below\*", r"= ([\d.]+) nats per training sentence"),
    ],
    "08_modern_image_gans.ipynb": [
        # section 6: the truncation curve's ends (psi, precision, recall, FID, score per line)
        (r"this run's samples have precision ([\d.]+) and recall", r"\n 1\.00 +([\d.]+) +[\d.]+ +[\d.]+ +[\d.]+"),
        (r"this run's samples have precision [\d.]+ and recall ([\d.]+)\.", r"\n 1\.00 +[\d.]+ +([\d.]+) +[\d.]+ +[\d.]+"),
        (r"at \$\\psi = 0\.2\$ precision is ([\d.]+)", r"\n 0\.20 +([\d.]+) +[\d.]+ +[\d.]+ +[\d.]+"),
        (r"at \$\\psi = 0\.2\$ precision is [\d.]+ and recall ([\d.]+)", r"\n 0\.20 +[\d.]+ +([\d.]+) +[\d.]+ +[\d.]+"),
        (r"every sample is the same image \(recall ([\d.]+)\)", r"\n 0\.00 +[\d.]+ +([\d.]+) +[\d.]+ +[\d.]+"),
    ],
    "06_applications.ipynb": [
        # the time line: the committed run's own clock
        (r"the committed run took (\d+) s after imports", r"Notebook run time: (\d+) s \(after imports\)"),
        # section 4: diversity within each class
        (r"two samples of one class are (\d+) % as far apart", r"two samples of one class are (\d+)% as far apart"),
        (r"\((\d+) % in pixels\)", r"as two real digits of it \((\d+)% in pixels\)"),
        (r"recall is ([\d.]+) against [\d.]+ for real digits", r"\n +mean +[\d.]+ / [\d.]+ +([\d.]+) / [\d.]+"),
        (r"recall is [\d.]+ against ([\d.]+) for real digits", r"\n +mean +[\d.]+ / [\d.]+ +[\d.]+ / ([\d.]+)"),
        (r"lower in all (\d+) classes", r"lower in (\d+) of 10 classes"),
        (r"Precision is ([\d.]+) against [\d.]+,", r"\n +mean +([\d.]+) / [\d.]+"),
        (r"Precision is [\d.]+ against ([\d.]+),", r"\n +mean +[\d.]+ / ([\d.]+)"),
        # section 5: one code's handwriting across the labels
        (r"correlate in ink \(\+([\d.]+)\)", r"ink: mean correlation between two digits drawn from the same z \+([\d.]+)"),
        (r"and in slant \(\+([\d.]+)\)", r"slant: mean correlation between two digits drawn from the same z \+([\d.]+)"),
        (r"against ([\d.]+) ± [\d.]+ with the codes shuffled", r"ink: [^\n]*shuffled within each digit \+([\d.]+) ±"),
        (r"against [\d.]+ ± ([\d.]+) with the codes shuffled", r"ink: [^\n]*shuffled within each digit \+[\d.]+ ± ([\d.]+)"),
        # section 6: the design (all real against the evaluator; the t value for 5 seeds)
        (r"trained longer on the same 4,000 digits, reads ([\d.]+) % of the held-out",
         r"evaluator accuracy ([\d.]+)% \(lowest class"),
        (r"\(([\d.]+) for 5 seeds: a paired", r"in percentage points, t = ([\d.]+)\):"),
        # section 6: augmentation, paired differences
        (r"shifted and rotated copies add ([\d.]+) percentage points", r"classic vs real only: \+([\d.]+) ±"),
        (r"conditional-GAN digits ([\d.]+) \(paired differences", r"real \+ GAN vs real only: \+([\d.]+) ±"),
        (r"not clearly better \(\+([\d.]+) ± [\d.]+ points", r"real \+ GAN vs classic: \+([\d.]+) ±"),
        (r"not clearly better \(\+[\d.]+ ± ([\d.]+) points", r"real \+ GAN vs classic: \+[\d.]+ ± ([\d.]+) -> no clear"),
        (r"higher in (\d) of 5 seeds, but within", r"real \+ GAN vs classic: [^\n]*\(higher in (\d) of 5 seeds\)"),
        (r"\+([\d.]+) ± [\d.]+ points over 200 copies", r"classic \+ GAN vs classic: \+([\d.]+) ±"),
        (r"\+[\d.]+ ± ([\d.]+) points over 200 copies", r"classic \+ GAN vs classic: \+[\d.]+ ± ([\d.]+) -> higher"),
        (r"\+([\d.]+) ± [\d.]+ over 200 GAN digits", r"classic \+ GAN vs real \+ GAN: \+([\d.]+) ±"),
        (r"\+[\d.]+ ± ([\d.]+) over 200 GAN digits", r"classic \+ GAN vs real \+ GAN: \+[\d.]+ ± ([\d.]+) -> higher"),
        (r"over 200 GAN digits, in (\d) of 5 seeds each", r"classic \+ GAN vs real \+ GAN: [^\n]*\(higher in (\d) of 5"),
        (r"over 200 GAN digits, in (\d) of 5 seeds each", r"classic \+ GAN vs classic: [^\n]*\(higher in (\d) of 5"),
        # section 7: image completion (100 held-out digits per mask)
        (r"reads only (\d+) % of the block-damaged digits", r"block +hole left empty +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"\((\d+) % with a stroke across them\)", r"stroke +hole left empty +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"pixel error ([\d.]+) in the blocks", r"block +GAN \(z search, lambda 0\.1\) +([\d.]+) ±"),
        (r"and ([\d.]+) in the strokes", r"stroke +GAN \(z search, lambda 0\.1\) +([\d.]+) ±"),
        (r"against ([\d.]+) and [\d.]+ for mean fill", r"block +mean fill +([\d.]+) ±"),
        (r"against [\d.]+ and ([\d.]+) for mean fill", r"stroke +mean fill +([\d.]+) ±"),
        (r"paired differences −([\d.]+) ± [\d.]+ and", r"vs +mean fill, +block pixel error: -([\d.]+) ±"),
        (r"paired differences −[\d.]+ ± ([\d.]+) and", r"vs +mean fill, +block pixel error: -[\d.]+ ± ([\d.]+) -> lower"),
        (r"paired differences −[\d.]+ ± [\d.]+ and −([\d.]+) ±", r"vs +mean fill, stroke pixel error: -([\d.]+) ±"),
        (r"and −[\d.]+ ± ([\d.]+)\), but not", r"vs +mean fill, stroke pixel error: -[\d.]+ ± ([\d.]+) -> lower"),
        (r"mean fill already gets (\d+) % and", r"block +mean fill +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"mean fill already gets \d+ % and (\d+) %", r"stroke +mean fill +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"restores (\d+)–\d+ % of the readings", r"block +mean fill +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"restores \d+–(\d+) % of the readings", r"stroke +mean fill +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"better in pixel error \(([\d.]+);", r"block +nearest neighbour +([\d.]+) ±"),
        (r"paired difference, \+([\d.]+) ± [\d.]+, is beyond", r"vs nearest neighbour, +block pixel error: \+([\d.]+) ±"),
        (r"paired difference, \+[\d.]+ ± ([\d.]+), is beyond",
         r"vs nearest neighbour, +block pixel error: \+[\d.]+ ± ([\d.]+) -> higher"),
        (r"in accuracy \((\d+) % against \d+ %\)", r"block +nearest neighbour +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"in accuracy \(\d+ % against (\d+) %\)", r"block +GAN \(z search, lambda 0\.1\) +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"paired difference −([\d.]+) ± [\d.]+ for blocks", r"vs +the prior off, +block pixel error: -([\d.]+) ±"),
        (r"paired difference −[\d.]+ ± ([\d.]+) for blocks",
         r"vs +the prior off, +block pixel error: -[\d.]+ ± ([\d.]+) -> no clear"),
        (r"\+([\d.]+) ± [\d.]+ for strokes\)", r"vs +the prior off, stroke pixel error: \+([\d.]+) ±"),
        (r"\+[\d.]+ ± ([\d.]+) for strokes\)", r"vs +the prior off, stroke pixel error: \+[\d.]+ ± ([\d.]+) -> no clear"),
        (r"above the undamaged digits \((\d+) % against \d+ % for blocks\)",
         r"block +nearest neighbour +[\d.]+ ± [\d.]+ +([\d.]+)%"),
        (r"above the undamaged digits \(\d+ % against (\d+) % for blocks\)", r"undamaged digits +([\d.]+)%"),
    ],
    "07_image_translation.ipynb": [
        # the time line: the committed run's own clock
        (r"the committed run took (\d+) s after imports", r"Notebook run time: (\d+) s \(after imports\)"),
        # section 3: the input itself against the models (one run), the real digits' sharpness and accuracy
        (r"with its lower half left empty, scores ([\d.]+)", r"input \(no model\) +([\d.]+)"),
        (r"toward the real digits' ([\d.]+)", r"real held-out digits: [^\n]*sharpness ([\d.]+)"),
        (r"\(real digits: ([\d.]+) %\)", r"real held-out digits: [^\n]*evaluator accuracy ([\d.]+)%"),
        # section 5: the real thick and thin digits
        (r"than real thick digits, ([\d.]+) %", r"the same digits thickened: evaluator accuracy ([\d.]+)%"),
        (r"Real thin digits have an ink share of ([\d.]+)", r"real held-out digits: [^\n]*ink share ([\d.]+)"),
        (r"real thick ones ([\d.]+);", r"the same digits thickened: [^\n]*ink share ([\d.]+)"),
        (r"against ([\d.]+) for real thin digits", r"real held-out digits: [^\n]*ink share ([\d.]+)"),
        # section 5: changed digits the evaluator already misread before translation
        (r"in this run, (\d+) of the \d+ with the cycle loss",
         r"with cycle: \d+ digits changed their reading; (\d+) of them"),
        (r"in this run, \d+ of the (\d+) with the cycle loss", r"with cycle: (\d+) digits changed their reading"),
        (r"with the cycle loss and (\d+) of the \d+ without\)",
         r"without cycle: \d+ digits changed their reading; (\d+) of them"),
        (r"with the cycle loss and \d+ of the (\d+) without\)", r"without cycle: (\d+) digits changed their reading"),
    ],
}


def _texts(notebook: str) -> tuple[str, str]:
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    outputs = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                outputs.append(out.get("text", ""))
            elif "text/plain" in out.get("data", {}):
                outputs.append(out["data"]["text/plain"])
    return markdown, "\n".join(outputs)


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-").rstrip("%"))


def quote_agrees(markdown_number: str, output_number: str) -> bool:
    """The markdown number equals the output number rounded to the markdown's decimals."""
    decimals = len(markdown_number.split(".")[1].rstrip("%")) if "." in markdown_number else 0
    return round(_number(output_number), decimals) == round(_number(markdown_number), decimals)


CASES = [(nb, md, out) for nb, pairs in QUOTES.items() for md, out in pairs]


@pytest.mark.parametrize("notebook,markdown_regex,output_regex", CASES)
def test_markdown_number_matches_committed_output(notebook, markdown_regex, output_regex):
    markdown, outputs = _texts(notebook)
    md = re.search(markdown_regex, markdown)
    assert md, f"{notebook}: the markdown no longer quotes /{markdown_regex}/"
    out = re.search(output_regex, outputs)
    assert out, f"{notebook}: the committed outputs no longer print /{output_regex}/"
    assert quote_agrees(md.group(1), out.group(1)), (
        f"{notebook}: markdown says {md.group(1)} but the committed run printed {out.group(1)}")


def test_quote_agrees_rounds_to_the_markdown_decimals():
    assert quote_agrees("5.1", "5.11") and quote_agrees("83%", "83") and quote_agrees("1,860", "1860")
    assert not quote_agrees("5.2", "5.11") and not quote_agrees("0.07", "0.221")


def test_every_notebook_with_quotes_exists():
    for notebook in QUOTES:
        assert (ROOT / "notebooks" / notebook).exists(), notebook
