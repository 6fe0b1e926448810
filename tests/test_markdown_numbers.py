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
    "03_dcgan_mnist.ipynb": [
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
