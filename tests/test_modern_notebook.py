"""Papermill re-execution of notebook 08 (spectral norm, hinge, R1, DiffAugment, EMA, truncation), in quick mode.

- Overridden parameters must change the run: read back from the results JSON the notebook writes
  (parameter values, the number of training digits, the little-data logs, the truncation values).
- ``export_samples`` must write 10,000 uint8 28x28 images of the recipe's generator under ``images``.
- The truncation widget's update function, called with a control value in an extra cell, must
  draw and return 24 images, all the same at psi = 0.
- A bad parameter must stop in the validation cell, naming it, with nothing written.
"""

import json
from pathlib import Path

import numpy as np
import papermill as pm
import pytest
from notebook_checks import assert_stopped_in_validation, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NB08 = ROOT / "notebooks" / "08_modern_image_gans.ipynb"

USE_THE_WIDGET = """
at_zero = show_truncation(psi=0.0)
print("widget images", at_zero.shape, bool(np.allclose(at_zero, at_zero[:1], atol=1e-5)))
print("controls", sorted(truncation_view.kwargs))
"""


def execute(tmp_path, extra_cell=None, **parameters):
    return execute_notebook(NB08, tmp_path / "executed.ipynb", extra_cell, **parameters)


def test_overrides_take_effect_samples_are_exported_and_the_widget_draws(tmp_path):
    nb = execute(tmp_path, USE_THE_WIDGET, seed=3, steps=3, batch_size=32, latent_dim=16, loss="nonsaturating",
                 r1_gamma=0.0, spectral_norm=False, diffaugment=False, ema_decay=0.0, little_digits=64,
                 little_steps=26, truncation_points=4, eval_samples=150,
                 export_samples=str(tmp_path / "samples.npz"), output_dir=str(tmp_path / "outputs"))
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Quick mode (GAN_COURSE_QUICK=1):" in printed

    results = json.loads((tmp_path / "outputs" / "results_seed3_quick.json").read_text())
    p = results["parameters"]
    assert (p["seed"], p["steps"], p["batch_size"], p["latent_dim"], p["loss"], p["r1_gamma"], p["spectral_norm"],
            p["diffaugment"], p["ema_decay"], p["little_digits"], p["eval_samples"], p["quick"]) == \
        (3, 3, 32, 16, "nonsaturating", 0.0, False, False, 0.0, 64, 150, True)
    assert p["little_steps"] == 4 and p["truncation_points"] == 3   # quick mode caps them
    assert results["training_digits"] == 1000
    # generator: Dense 16 -> 1024 (no bias) + BN, Dense 1024 -> 7*7*64 (no bias) + BN, ConvT 64 -> 32 (4x4, no bias)
    # + BN, ConvT 32 -> 1 (4x4, bias)
    assert results["parameters_count"]["generator"] == (16 * 1024 + 4 * 1024 + 1024 * 3136 + 4 * 3136
                                                        + 16 * 64 * 32 + 4 * 32 + 16 * 32 + 1)
    assert set(results["live"]) == {"recipe", "DCGAN (03)"}
    for row in results["live"].values():
        assert np.isfinite(row["quality"]["fid"]) and 0 <= row["quality"]["recall"] <= 1
    assert [t["psi"] for t in results["truncation"]] == [0.0, 0.5, 1.0]
    assert set(results["little"]) == {"without DiffAugment", "with DiffAugment"}
    for row in results["little"].values():
        log = np.asarray(row["d_accuracy_log"])
        assert log[:, 0].tolist() == [1.0] and np.all((0 <= log[:, 1:]) & (log[:, 1:] <= 1))
        assert 0 <= row["near_copies_features"] <= 1
    assert results["reference"]["fid"] < 15 and results["reference"]["recall"] > 0.7
    for name in ("diffaugment", "recipe_vs_dcgan", "little_data", "truncation"):
        assert (tmp_path / "outputs" / f"{name}_seed3_quick.png").stat().st_size > 1000

    with np.load(tmp_path / "samples.npz") as exported:   # plain arrays: loads without allow_pickle
        assert exported.files == ["images"]
        images = exported["images"]
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8 and images.std() > 1

    shown = nb.cells[-1].outputs
    text = "".join(o.get("text", "") for o in shown)
    assert "widget images (24, 28, 28, 1) True" in text and "controls ['psi']" in text
    assert any("image/png" in o.get("data", {}) for o in shown), shown


@pytest.mark.parametrize("name, value, error", [
    ("steps", 0, "ValueError"),
    ("loss", "wasserstein", "ValueError"),
    ("diffaugment", "yes", "TypeError"),
    ("r1_gamma", -1.0, "ValueError"),
    ("little_digits", 32, "ValueError"),
    ("export_samples", "samples.csv", "ValueError"),
])
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, name, value, error):
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path, **{name: value, "output_dir": str(tmp_path / "outputs")})
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", name, value, error)


# The committed three-seed tables (bench/modern_08.py's reference run) are quoted, row for row, by notebook 08 and
# bench/README.md, and every "mean ± std" in 08's markdown is a value of that run. Reads files only.
def _markdown(path: Path) -> str:
    import nbformat

    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def _reference():
    return json.loads((ROOT / "bench" / "reference" / "modern_08.json").read_text(encoding="utf-8"))


def test_the_ablation_and_little_data_tables_are_quoted_whole():
    import re

    data = _reference()
    rows = [line for text in (data["markdown"], data["little_markdown"]) for line in text.splitlines()
            if line.startswith("| `") or line.startswith("| real held-out") or re.match(r"\| \d+ \|", line)]
    assert len(rows) >= 8
    notebook, readme = _markdown(NB08), (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    for row in rows:
        assert row in notebook, f"notebook 08 does not quote this row of bench/reference/modern_08.json:\n{row}"
        assert row in readme, f"bench/README.md does not quote this row of bench/reference/modern_08.json:\n{row}"


def test_every_mean_and_spread_quoted_in_08_comes_from_the_reference_run():
    import re

    data = _reference()
    ablation_03 = json.loads((ROOT / "bench" / "reference" / "ablation_03.json").read_text(encoding="utf-8"))
    values = [tuple(v) for table in (data["table"], data["little_table"], ablation_03["table"])   # 03's dcgan row too
              for row in table.values() for v in row.values() if isinstance(v, list) and len(v) == 2]
    quoted = re.findall(r"(\d+\.\d+) ± (\d+\.\d+)", _markdown(NB08))
    assert len(quoted) >= 8
    for mean, spread in quoted:
        decimals = len(mean.split(".")[1])
        assert any(round(m, decimals) == float(mean) and round(s, decimals) == float(spread) for m, s in values), (
            f"notebook 08 quotes {mean} ± {spread}, which is no value of bench/reference/modern_08.json")


def test_the_ablation_prose_quotes_the_reference_run():
    """Section 4's prose: the rows' mean step counts and the raw − EMA differences per seed."""
    import re

    data, text = _reference(), _markdown(NB08)
    steps = [row["steps"][0] for row in data["table"].values()]
    low, high = re.search(r"gave the rows (\d+) to (\d+) steps on average", text).groups()
    assert (int(low), int(high)) == (10 * int(min(steps) // 10), 10 * int(-(-max(steps) // 10)))
    dcgan = data["verdicts"]["dcgan/raw-ema"]
    low, high = re.search(r"in every seed \(raw − EMA between \+([\d.]+) and \+([\d.]+)\)", text).groups()
    assert (float(low), float(high)) == (round(min(dcgan), 1), round(max(dcgan), 1)) and min(dcgan) > 0
    normalized = [d for row in ("sn", "hinge", "r1") for d in data["verdicts"][f"{row}/raw-ema"]]
    bound = float(re.search(r"raw − EMA within ±([\d.]+) in every seed of the", text).group(1))
    assert round(max(abs(d) for d in normalized), 1) == bound
    augmented = data["verdicts"]["diffaug/raw-ema"]
    low, high = re.search(r"between −([\d.]+) and \+([\d.]+) in the DiffAugment row", text).groups()
    assert (-float(low), float(high)) == (round(min(augmented), 1), round(max(augmented), 1))
    for row in ("sn", "diffaug"):   # the verdicts the prose states, each against the row above
        assert data["verdicts"][f"{row}/raw"]["beyond_noise"] and data["verdicts"][f"{row}/ema"]["beyond_noise"]
    for row in ("equal-lr", "hinge", "r1"):
        assert not data["verdicts"][f"{row}/raw"]["beyond_noise"] and not data["verdicts"][f"{row}/ema"]["beyond_noise"]
