"""Papermill re-executions of notebook 04 (text GAN), in quick mode.

- On a corpus this test writes (made-up sentences no grammar describes), at character level,
  overridden parameters must change the run: read back from the results JSON (parameters, corpus
  size and vocabulary, model size, the Gumbel temperature schedule); grammar validity, oracle NLL
  and test NLL must be reported as unavailable while n-gram validity and length-matched diversity
  are measured for all four generators (MLE, the adversarial-loss-off control, straight-through
  and REINFORCE); ``export_samples`` must write
  1,000 lines of UTF-8 text.
- A bad parameter or a bad corpus file must stop in the validation cell, naming the parameter,
  with nothing written.
"""

import json
import math
from pathlib import Path

import numpy as np
import papermill as pm
import pytest
from notebook_checks import assert_stopped_in_validation, execute_notebook

ROOT = Path(__file__).resolve().parent.parent
NB04 = ROOT / "notebooks" / "04_text_gan.ipynb"


def execute(out, **parameters):
    return execute_notebook(NB04, out, **parameters)


def made_up_corpus(path, n=60, seed=0):
    """Short sentences from a few made-up words: no grammar of the course describes them."""
    rng = np.random.default_rng(seed)
    parts = (["zor", "mip", "kela", "dut"], ["vanu", "spree", "olo"], ["fip", "gra", "nek", "tu"])
    lines = [" ".join(rng.choice(p) for p in parts).capitalize() + rng.choice([".", "!", "?"]) for _ in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def generator_parameters(vocab, units, embed=64):
    """Embedding + GRU (Keras' reset_after: two bias vectors) + Dense head."""
    return vocab * embed + 3 * (embed * units + units * units + 2 * units) + units * vocab + vocab


def test_custom_corpus_at_character_level_with_overrides_and_export(tmp_path):
    lines = made_up_corpus(tmp_path / "made_up.txt")
    outputs, export = tmp_path / "outputs", tmp_path / "exported" / "gan_sentences.txt"
    nb = execute(tmp_path / "executed.ipynb", corpus_path=str(tmp_path / "made_up.txt"), level="char", max_length=30,
                 seed=3, batch_size=8, units=32, temperature_start=2.0, temperature_end=0.2,
                 export_samples=str(export), output_dir=str(outputs))
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Quick mode (GAN_COURSE_QUICK=1)" in printed and "grammar validity unavailable" in printed

    results = json.loads((outputs / "results_made_up_seed3_char_quick.json").read_text())
    p = results["parameters"]
    assert (p["seed"], p["level"], p["max_length"], p["batch_size"], p["units"], p["quick"]) == (3, "char", 30, 8, 32, True)
    vocab = len({ch for line in lines for ch in line.lower()}) + 4
    assert results["corpus"] == {"sentences": 60, "vocabulary": vocab, "grammar_known": False, "grammar_accepts": 0}
    assert results["parameters_count"]["generator"] == generator_parameters(vocab, 32)
    assert results["steps_per_epoch"] == 60 // 8
    tau = results["gan_steps"]["tau"]
    assert len(tau) == 60 // 8 and tau[0] == pytest.approx(2.0) and tau[-1] == pytest.approx(0.2)
    assert set(results["references"]) == {"training sentences"}
    for model in ("mle", "gan"):
        assert set(results[model]) == {"0.6", "0.7", "0.8", "0.9", "1.0", "1.1", "1.2"}
        m = results[model]["1.0"]
        assert m["grammatical"] is None and m["novel_grammatical"] is None and m["n"] == 200
        assert 0 <= m["novel"] <= 1 and 0 <= m["distinct_2"] <= 1 and 0 <= m["self_bleu"] <= 1
        assert math.isnan(m["ngram_valid"]) or 0 <= m["ngram_valid"] <= 1
    assert results["references"]["training sentences"]["ngram_valid"] == 1.0
    at_t1 = results["at_temperature_1"]   # no grammar: no oracle or test NLL; diversity at equal length still measured
    assert set(at_t1) == {"MLE", "adv. loss off", "GAN straight-through", "GAN REINFORCE", "training sentences"}
    for row in at_t1.values():
        assert row["oracle_nll"] is None and row["test_nll"] is None
        assert 0 <= row["distinct_2_matched"] <= 1 and 0 <= row["self_bleu_matched"] <= 1
    assert 2 <= results["length_matched_sentences"] <= 200
    assert len(results["reinforce_steps"]["reward"]) == 60 // 8
    assert all(0 < r < 1 for r in results["reinforce_steps"]["reward"])
    assert set(results["train_seconds"]) == {"mle", "gan", "adversarial_loss_off", "reinforce"}
    assert results["toy"]["in_training"] >= 0.9  # the five toy sentences are memorized even in quick mode
    assert len(list(outputs.glob("*.png"))) >= 3

    exported = export.read_text(encoding="utf-8").split("\n")
    assert exported[-1] == "" and len(exported[:-1]) == 1000


@pytest.mark.parametrize("name, value, error", [
    ("max_length", 1, "ValueError"),
    ("level", "byte", "ValueError"),
    ("temperature_end", 0.0, "ValueError"),
    ("epochs", 1.5, "TypeError"),
])
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, name, value, error):
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path / "executed.ipynb", **{name: value, "output_dir": str(tmp_path / "outputs")})
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", name, value, error)


@pytest.mark.parametrize("content", [
    None,                                                     # missing
    b"",                                                      # empty
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",                   # binary
    b"Short line.\n" + b"word " * 20 + b"\n",                 # a line longer than max_length (12 words)
], ids=["missing", "empty", "binary", "too-long-line"])
def test_bad_corpus_file_stops_in_the_validation_cell(tmp_path, content):
    corpus = tmp_path / "corpus.txt"
    if content is not None:
        corpus.write_bytes(content)
    with pytest.raises(pm.PapermillExecutionError) as info:
        execute(tmp_path / "executed.ipynb", corpus_path=str(corpus), output_dir=str(tmp_path / "outputs"))
    assert_stopped_in_validation(info, tmp_path / "executed.ipynb", tmp_path / "outputs", "corpus_path", str(corpus),
                                 "ValueError")


def _markdown(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")


def test_benchmark_table_is_quoted_from_the_reference_run():
    """Notebook 04 and bench/README.md quote bench/reference/text_gan_04.json's table row for row, and every
    'mean ± std' in the notebook's markdown is a value of that table or of its paired differences."""
    import re

    data = json.loads((ROOT / "bench" / "reference" / "text_gan_04.json").read_text(encoding="utf-8"))
    rows = [line for line in data["markdown"].splitlines() if line.startswith("| `") or line.startswith("| fresh")]
    assert len(rows) == 6 and len(data["settings"]["seeds"]) >= 3
    notebook, readme = _markdown(NB04), (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    for row in rows:
        assert row in notebook, f"notebook 04 does not quote this row of bench/reference/text_gan_04.json:\n{row}"
        assert row in readme, f"bench/README.md does not quote this row of bench/reference/text_gan_04.json:\n{row}"
    values = [(v["mean"], v["std"]) for row in data["table"].values() for v in row.values()]
    values += [(v["mean"], v["std"]) for pair in data["differences"].values() for v in pair.values()]
    prose = notebook.split("| row |")[0] + notebook.split("fresh grammar sentences |")[-1]   # the table itself left out
    quoted = re.findall(r"([+−-]?\d+\.\d+) ± (\d+\.\d+)", prose)
    assert quoted, "the notebook's prose quotes no mean ± std from the benchmark"
    for mean, spread in quoted:
        decimals = len(mean.split(".")[1])
        m = float(mean.replace("−", "-"))
        assert any(round(a, decimals) == m and round(s, decimals) == float(spread) for a, s in values), (
            f"notebook 04 quotes {mean} ± {spread}, which is no value of bench/reference/text_gan_04.json")


def test_benchmark_per_seed_numbers_are_quoted_from_the_reference_run():
    """The notebook's per-seed quotes (discriminators at chance, seed 1's test NLL, the reference row's spread, the
    run's wall-clock time) are the values of bench/reference/text_gan_04.json."""
    import re

    data = json.loads((ROOT / "bench" / "reference" / "text_gan_04.json").read_text(encoding="utf-8"))
    seeds = [data["per_seed"][str(s)] for s in data["settings"]["seeds"]]
    notebook = _markdown(NB04)

    def three(row):
        return ", ".join(f"{s['rows'][row]['d_fake_last_100']:.3f}" for s in seeds[:2]) + \
            f" and {seeds[2]['rows'][row]['d_fake_last_100']:.3f}"

    assert f"stayed at chance in all three seeds ({three('reinforce')})" in notebook
    gan = [f"{s['rows']['gan-st']['d_fake_last_100']:.3f}" for s in seeds]
    assert (f"furthest from chance in seed 0 ({gan[0]}), less in seed 2 ({gan[2]}) and hardly at all in seed 1 "
            f"({gan[1]})") in notebook
    one = seeds[1]["rows"]
    assert f"(test NLL {one['gan-st']['test_nll']:.3f} against {one['adv-off']['test_nll']:.3f})" in notebook
    fresh = sorted(s["fresh"]["distinct_2_matched"] for s in seeds)
    assert f"distinct-2 from {fresh[0]:.3f} to {fresh[-1]:.3f} across the seeds" in notebook
    wall = re.search(r"the committed run took ([\d,]+) s of wall-clock time", notebook)
    assert wall and int(wall.group(1).replace(",", "")) == round(data["wall_seconds"])
