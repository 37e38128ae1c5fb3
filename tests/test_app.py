"""The page under Streamlit's AppTest: every control, every preset, every export path, no exception."""

import base64
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscapes
import presets
import schedules
from engine.scene import MAX_STEPS, NoiseSpec, Scene, ScheduleSpec, WarmupSpec
from engine.urlstate import scene_from_query, scene_to_query
from ui.labels import FAMILY_SEPARATOR, family_name, grouped_choices
from ui.state import number_range

TIMEOUT = 240
APP = str(Path(__file__).resolve().parent.parent / "app.py")
pytestmark = pytest.mark.xdist_group("app")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def _charts(at: AppTest) -> dict[str, dict]:
    charts = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        charts[element.proto.id] = spec
    return charts


def _figure(at: AppTest, key: str) -> dict:
    """The figure of the chart ``key``: a ``st.plotly_chart``, or the live 3-D element (``ui.plot3d``)."""
    for element in at.get("plotly_chart"):
        if key in element.proto.id:
            return json.loads(element.proto.spec)
    for element in at.get("bidi_component"):
        if key in element.proto.id:
            return json.loads(json.loads(element.proto.json)["figure"])
    raise AssertionError(f"no chart with key {key!r}")


def _decode(values):
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
    return np.asarray(values)


def _open(at: AppTest, tab: str) -> AppTest:
    """Opens a tab as a click does: only the open tab's content runs."""
    at.session_state["tab"] = tab
    at.run()
    assert not at.exception, at.exception
    return at


def _shown_scene(at: AppTest) -> Scene:
    return Scene.from_json(at.session_state["last_scene"])


# --- The page's pure helpers --------------------------------------------------------------------------------


def test_widget_ranges_are_the_scene_s_own():
    assert number_range(Scene, "steps") == (1, MAX_STEPS)
    assert number_range(Scene, "lr", floor=1e-8) == (1e-8, 100.0)  # the Scene says lr > 0: the widget needs a floor
    assert number_range(NoiseSpec, "seed") == (0, 2**31 - 1)
    assert number_range(WarmupSpec, "start_factor") == (0.0, 1.0)
    assert number_range(ScheduleSpec, "lr", floor=1e-8) == number_range(Scene, "lr", floor=1e-8)
    with pytest.raises(ValueError, match="floor"):
        number_range(Scene, "lr")  # an open bound needs a floor
    with pytest.raises(ValueError, match="floor"):
        number_range(Scene, "lr", floor=0.0)  # inside the bound
    with pytest.raises(ValueError, match="no floor"):
        number_range(Scene, "steps", floor=1)
    with pytest.raises(ValueError, match="no lower or upper bound"):
        number_range(Scene, "dtype")


class _Entry:
    def __init__(self, name: str, family: str | None = None) -> None:
        self.name = name
        if family is not None:
            self.family = family


def test_pickers_group_a_registry_by_family():
    registry = {"a": _Entry("A", "smooth"), "b": _Entry("B", "new_family"), "c": _Entry("C", "smooth")}
    ids, labels = grouped_choices(registry, ("piecewise", "smooth"))
    assert ids == ["a", "c", "b"]  # family by family (the registry's order of families first), registry order within
    assert labels == {"a": "Smooth · A", "c": "Smooth · C", "b": "New family · B"}
    ids, labels = grouped_choices(registry, {"new_family": "Brand new", "smooth": "Smooth"})  # a registry's names
    assert ids == ["b", "a", "c"] and labels["b"] == "Brand new · B" and labels["a"] == "Smooth · A"
    plain = {"x": _Entry("X"), "y": _Entry("Y")}  # no families: as the registry has it
    assert grouped_choices(plain) == (["x", "y"], {"x": "X", "y": "Y"})
    assert family_name("tensorflow", schedules.FAMILIES) == "TensorFlow-style"
    assert family_name("sgd_family") == "Sgd family"


def test_every_schedule_family_reads_as_words():
    ids, labels = grouped_choices(schedules.SCHEDULES, schedules.FAMILIES)
    assert sorted(ids) == sorted(schedules.SCHEDULES)
    families = [labels[i].split(FAMILY_SEPARATOR, 1)[0] for i in ids]
    assert families == sorted(families, key=families.index)  # each family in one block


# --- The page ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = _app().run()
    assert not at.exception, at.exception
    return at


def test_default_page_draws_every_view(page):
    scene = _shown_scene(page)
    assert scene == presets.PRESETS[presets.DEFAULT_PRESET].build()
    runs = scene.num_trajectories
    surface = _figure(page, "chart_3d")
    kinds = [trace["type"] for trace in surface["data"]]
    assert kinds.count("surface") == 1
    assert kinds.count("scatter3d") >= runs  # a path per run (plus start/end markers)
    assert surface["layout"]["scene"]["xaxis"]["title"]["text"] == "x"
    contour = _figure(page, "chart_contour")
    assert [t["type"] for t in contour["data"]].count("contour") == 1
    lr = _figure(page, "chart_lr")
    assert len([t for t in lr["data"] if t.get("mode") == "lines"]) == runs
    loss = _figure(page, "chart_loss")
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert not page.get("error")
    assert page.query_params["s"]


def test_sidebar_widgets_take_the_scene_s_limits(page):
    assert (page.number_input(key="lr").min, page.number_input(key="lr").max) == (1e-8, 100.0)
    assert (page.number_input(key="steps").min, page.number_input(key="steps").max) == (1, MAX_STEPS)
    assert page.number_input(key="noise_seed").max == 2**31 - 1 and page.number_input(key="tolerance").max == 1.0


def test_schedule_pickers_are_grouped_by_family_and_keep_ids(page):
    picker = page.selectbox(key="sched.0.id")
    ids, labels = grouped_choices(schedules.SCHEDULES, schedules.FAMILIES)
    assert picker.options == [labels[i] for i in ids]
    assert picker.value == _shown_scene(page).schedules[0].id  # the value, the Scene and the link keep the id
    assert "Smooth decay · Cosine annealing — CosineAnnealingLR, cosine_decay_schedule, CosineDecay" in picker.options


def test_a_preset_caption_shows_the_paper_s_claims_apart(page):
    preset = presets.PRESETS[presets.DEFAULT_PRESET]
    assert page.info[0].value == f"**{preset.name}.** {preset.summary}"
    claims = [e for e in page.expander if e.label == "What the paper claims, and what holds here"]
    assert claims and claims[0].markdown[0].value == f"{preset.paper_claims} {preset.observed}"


def test_colours_match_across_views(page):
    lr = _figure(page, "chart_lr")
    loss = _figure(page, "chart_loss")
    lr_colours = [t["line"]["color"] for t in lr["data"] if t.get("mode") == "lines"]
    loss_colours = [t["line"]["color"] for t in loss["data"] if t.get("mode") == "lines"]
    assert lr_colours == loss_colours and len(set(lr_colours)) == len(lr_colours)


@pytest.mark.parametrize("preset_id", list(presets.PRESETS))
def test_every_preset_loads(preset_id):
    at = _app().run()
    at.number_input(key="lr").set_value(0.0123).run()  # edited: the box no longer names a preset
    assert at.selectbox(key="preset").value is None
    at.selectbox(key="preset").set_value(preset_id).run()  # picking a preset loads it
    assert not at.exception, at.exception
    assert at.selectbox(key="preset").value == preset_id
    assert not at.get("error")
    assert _shown_scene(at) == presets.PRESETS[preset_id].build()
    assert presets.PRESETS[preset_id].caption[:40] in at.info[0].value


def test_controls_change_the_scene():
    at = _app().run()
    at.number_input(key="lr").set_value(0.002).run()
    assert _shown_scene(at).lr == 0.002
    at.number_input(key="steps").set_value(300).run()
    assert _shown_scene(at).steps == 300
    at.toggle(key="clip_on").set_value(False).run()
    assert _shown_scene(at).clip is None
    at.number_input(key="noise_sigma").set_value(0.1).run()
    at.number_input(key="noise_seed").set_value(5).run()
    assert _shown_scene(at).noise.sigma == 0.1 and _shown_scene(at).noise.seed == 5
    at.selectbox(key="dtype").set_value("float64").run()
    assert _shown_scene(at).dtype == "float64"
    at.number_input(key="tolerance").set_value(1e-3).run()
    assert _shown_scene(at).tolerance == 1e-3
    assert not at.exception, at.exception

    # a schedule's own parameter, own LR and warm-up
    at.selectbox(key="sched.1.id").set_value("step_lr").run()
    at.number_input(key="sched.1.step_lr.gamma").set_value(0.5).run()
    at.number_input(key="sched.1.lr").set_value(0.01).run()
    at.selectbox(key="sched.1.warmup").set_value("linear").run()
    step = _shown_scene(at).schedules[1]
    assert step.id == "step_lr" and step.params["gamma"] == 0.5 and step.lr == 0.01 and step.warmup.kind == "linear"

    # optimizers: change, set momentum, add and remove slots, lookahead's inner optimizer
    at.selectbox(key="opt.0.id").set_value("momentum").run()
    at.number_input(key="opt.0.momentum.momentum").set_value(0.5).run()
    assert _shown_scene(at).optimizers[0].params == {"momentum": 0.5}
    at.button(key="add_opt").click().run()
    at.selectbox(key="opt.1.id").set_value("lookahead").run()
    at.selectbox(key="opt.1.inner").set_value("yogi").run()
    scene = _shown_scene(at)
    assert [o.id for o in scene.optimizers] == ["momentum", "lookahead"] and scene.optimizers[1].inner.id == "yogi"
    at.button(key="opt.0.remove").click().run()
    assert [o.id for o in _shown_scene(at).optimizers] == ["lookahead"]
    n_sched = len(_shown_scene(at).schedules)
    at.button(key="add_sched").click().run()
    assert len(_shown_scene(at).schedules) == n_sched + 1
    at.button(key="sched.0.remove").click().run()
    assert len(_shown_scene(at).schedules) == n_sched

    # surface and its parameters
    at.selectbox(key="surface").set_value("quadratic").run()
    assert _shown_scene(at).surface.id == "quadratic"
    assert not at.exception, at.exception


def test_bad_formula_shows_a_message_and_keeps_the_last_scene():
    at = _app().run()
    before = _shown_scene(at)
    at.selectbox(key="sched.0.id").set_value("lambda_lr").run()
    good = _shown_scene(at)
    assert good.schedules[0].id == "lambda_lr"
    at.text_area(key="sched.0.lambda_lr.formula").input("lr * __import__('os')").run()
    assert not at.exception
    assert _shown_scene(at) == good != before
    # The message sits under the schedule's own inputs, in the sidebar's words, with the input as code
    # (Markdown would otherwise show ``__import__`` as a bold "import")...
    (message,) = at.sidebar.error
    assert message.value.startswith("**Schedule 1:** formula:") and "`__import__`" in message.value
    assert "schedules.0" not in message.value and "not allowed" not in message.value.split("formula")[0]
    assert "last valid experiment" in message.value
    # ... and a line above the charts says that they are out of date.
    assert not at.main.error
    assert any("still show the last valid experiment" in w.value and "Schedule 1" in w.value for w in at.warning)


def test_a_schedule_that_goes_negative_is_said():
    at = _app().run()
    at.selectbox(key="sched.0.id").set_value("lambda_lr").run()
    at.text_area(key="sched.0.lambda_lr.formula").input("lr * (1 - 2*k/T)").run()
    assert not at.exception and _shown_scene(at).schedules[0].params["formula"] == "lr * (1 - 2*k/T)"
    (warning,) = [w for w in at.sidebar.warning if "Schedule 1" in w.value]
    assert "below zero" in warning.value and "uphill" in warning.value


def test_formulas_are_wide_visible_and_rendered_as_typed():
    at = _app().run()
    at.selectbox(key="surface").set_value("custom").run()
    box = at.text_area(key="surface.custom.formula")  # not in a collapsed expander: a text area of its own
    assert not any(box.key == w.key for e in at.sidebar.expander for w in e.text_area)
    box.input("x**2 + 3*sin(y)").run()
    assert not at.exception and _shown_scene(at).surface.params["formula"] == "x**2 + 3*sin(y)"
    shown = [m.value for m in at.sidebar.latex]
    assert any("f(x, y) =" in m and r"\sin" in m for m in shown), shown


def test_markdown_of_a_message_shows_the_input_as_it_is():
    from ui import messages

    assert messages.markdown("unknown name '__import__'") == "unknown name `__import__`"
    assert messages.markdown("a *b* <i>") == r"a \*b\* \<i\>"
    placed = messages.place("schedules.2: formula: column 6: '(' is never closed")
    assert (placed.section, placed.title) == ("sched.2", "Schedule 3")
    assert messages.place("lr: Input should be greater than 0").section == messages.GENERAL
    assert messages.place("optimizers.0.inner: eps: must be in [0, 1]").title == "Optimizer 1"
    assert messages.place("something odd").title == "This experiment"


def test_link_reopens_the_same_scene():
    scene = presets.PRESETS[list(presets.PRESETS)[3]].build().replace(lr=0.0123, steps=222)
    at = _app()
    at.query_params["s"] = scene_to_query(scene)
    at.run()
    assert not at.exception, at.exception
    assert _shown_scene(at) == scene
    assert scene_from_query(at.query_params["s"]) == scene


def test_broken_link_warns_and_shows_the_default():
    at = _app()
    at.query_params["s"] = "v1.not-a-scene"
    at.run()
    assert not at.exception
    assert at.warning and "could not be opened" in at.warning[0].value
    assert _shown_scene(at) == presets.PRESETS[presets.DEFAULT_PRESET].build()


def test_clicking_the_contour_adds_a_start_point():
    at = _app().run()
    assert not any(t.get("name") == "pick" for t in _figure(at, "chart_contour")["data"]), "no grid unless picking"
    at.toggle(key="pick_mode").set_value(True).run()
    assert any(t.get("name") == "pick" for t in _figure(at, "chart_contour")["data"])
    at.session_state["chart_contour"] = {
        "selection": {"points": [{"x": 0.5, "y": 1.5, "point_index": 0}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    assert not at.exception, at.exception
    assert (0.5, 1.5) in _shown_scene(at).starts


def test_other_tabs_and_exports_render():
    at = _app().run()
    assert {"chart_3d", "chart_contour", "chart_lr", "chart_loss"} <= {key for key in _chart_keys(at)}
    assert not {"chart_playback", "chart_effective", "chart_internals"} & set(_chart_keys(at)), "hidden tabs are lazy"
    playback = _figure(_open(at, "Playback"), "chart_playback")
    assert playback.get("frames"), "the playback figure animates"
    assert set(_chart_keys(at)) == {"chart_playback"}
    _open(at, "Inside the optimizer")
    assert _figure(at, "chart_effective")["data"]
    assert _figure(at, "chart_internals")["data"]
    _open(at, "Export & share")
    labels = {b.label for b in at.get("download_button")}
    assert {"PNG", "SVG", "Interactive HTML", "Trajectories (CSV)", "Trajectories (JSON)", "Scene (JSON)"} <= labels
    assert "?s=" in at.code[0].value


def _chart_keys(at: AppTest) -> list[str]:
    charts = [*at.get("plotly_chart"), *at.get("bidi_component")]
    return [key for key in (element.proto.id.rsplit("-", 1)[-1] for element in charts) if key.startswith("chart_")]


def test_a_preset_caption_gives_way_once_the_scene_is_edited():
    at = _app().run()
    assert at.info and presets.PRESETS[presets.DEFAULT_PRESET].name in at.info[0].value
    at.number_input(key="lr").set_value(0.01).run()
    assert not at.info, "the preset's observations no longer describe the scene"
    edited = [c.value for c in at.caption if c.value.startswith("Edited from")]
    assert edited and presets.PRESETS[presets.DEFAULT_PRESET].name in edited[0]
    at.selectbox(key="preset").set_value(presets.DEFAULT_PRESET).run()
    assert at.info and presets.PRESETS[presets.DEFAULT_PRESET].name in at.info[0].value


def test_settings_in_a_hidden_tab_are_kept():
    at = _app().run()
    at.radio(key="loss_kind").set_value("distance to minimizer").run()
    at.toggle(key="log_y").set_value(False).run()
    _open(at, "Export & share")
    at.number_input(key="export_width").set_value(1600).run()
    _open(at, "LR search")
    at.number_input(key="search_candidates").set_value(50).run()
    _open(at, "Paths")
    assert at.radio(key="loss_kind").value == "distance to minimizer" and at.toggle(key="log_y").value is False
    assert _figure(at, "chart_loss")["layout"]["yaxis"]["type"] == "linear"
    _open(at, "Export & share")
    assert at.number_input(key="export_width").value == 1600
    _open(at, "LR search")
    assert at.number_input(key="search_candidates").value == 50


def test_beyond_the_paper_tabs_run_and_load_back():
    at = _app().run()
    at.number_input(key="steps").set_value(200).run()
    _open(at, "LR search")
    at.toggle(key="search_on").set_value(True).run()
    assert not at.exception, at.exception
    assert _figure(at, "chart_search")["data"]
    at.button(key="search_apply").click().run()
    assert not at.exception, at.exception
    assert "η0 set by the LR search" in at.info[0].value

    _open(at, "Basins")
    at.select_slider(key="basins_resolution").set_value(32)
    at.toggle(key="basins_on").set_value(True).run()
    assert not at.exception, at.exception
    basins = _figure(at, "chart_basins")
    assert any(t["type"] == "heatmap" for t in basins["data"])
    before = len(_shown_scene(at).starts)
    at.session_state["chart_basins"] = {
        "selection": {"points": [{"x": 0.5, "y": 0.5, "point_index": 0}], "point_indices": [0], "box": [], "lasso": []}
    }
    at.run()
    assert not at.exception, at.exception
    assert len(_shown_scene(at).starts) == before + 1 and _shown_scene(at).starts[-1] == (0.5, 0.5)

    _open(at, "Hyperparameters")
    assert not any("momentum" in o for o in at.selectbox(key="hparams_y").options)  # plain SGD has none
    at.selectbox(key="opt.0.id").set_value("momentum").run()
    # the picker names settings in words, not paths
    assert "momentum μ — optimizer 1 (SGD + momentum)" in at.selectbox(key="hparams_y").options
    at.selectbox(key="hparams_y").set_value("optimizers.0.params.momentum")
    at.select_slider(key="hparams_resolution").set_value(16)
    at.toggle(key="hparams_on").set_value(True).run()
    assert not at.exception, at.exception
    assert any(t["type"] == "heatmap" for t in _figure(at, "chart_hparams")["data"])


@pytest.mark.slow
def test_claims_tab_lists_fourteen_verdicts():
    at = _open(_app().run(), "Paper claims")
    at.toggle(key="claims_on").set_value(True).run(timeout=900)
    assert not at.exception, at.exception
    # A Markdown table (it wraps; the dataframe cut claims and reasons short), robustness said one way everywhere.
    (table,) = [m.value for m in at.markdown if m.value.startswith("| claim |")]
    rows = table.splitlines()[2:]
    assert len(rows) == 14 and all(row.split(" | ")[1] in {"holds", "does not hold", "holds in part"} for row in rows)
    assert all("holds fully at" in row for row in rows)
    titles = [e.label for e in at.expander if re.match(r"C\d+ \(Fig", e.label)]  # not "Constant settings"
    assert len(titles) == 14 and all("holds fully at" in title and "robustness" not in title for title in titles)
    assert "robustness 0 %" in " ".join(c.value for c in at.caption)  # explained where it is shown


# --- What a newcomer hit (issue 10) -------------------------------------------------------------------------


def _open_scene(data: dict) -> AppTest:
    at = _app()
    at.query_params["s"] = scene_to_query(Scene.build(data))
    return at.run()


OVERFLOW = {
    "surface": {"id": "custom", "params": {"formula": "exp(100*x) + y"}},
    "starts": [[2.5, 2.0]],
    "lr": 0.01,
    "steps": 100,
}


def test_a_formula_that_overflows_draws_clipped_says_so_and_breaks_nothing_after():
    at = _open_scene(OVERFLOW)
    assert not at.exception, at.exception
    assert any("f overflows on" in w.value and "clipped" in w.value for w in at.warning)
    for key in ("chart_3d", "chart_contour"):
        spec = _figure(at, key)
        assert "Infinity" not in json.dumps(spec)  # no value WebGL cannot draw
        assert "f overflows on" in spec["layout"]["title"]["text"]
    z_range = _figure(at, "chart_3d")["layout"]["scene"]["zaxis"]["range"]
    assert all(np.isfinite(z_range))
    at.selectbox(key="preset").set_value(presets.DEFAULT_PRESET).run()
    assert not at.exception, at.exception
    assert not at.warning and "overflows" not in json.dumps(_figure(at, "chart_3d"))


def test_twenty_paths_keep_the_charts_size_and_legends_name_what_varies():
    one = _app().run()
    many = _open_scene(
        {
            "surface": {"id": "himmelblau"},
            "starts": [[-0.983051, -0.559322], [4.5, 4.5]],
            "optimizers": [{"id": "momentum", "params": {"momentum": 0.5}}, {"id": "adam"}],
            "schedules": [{"id": s} for s in presets.FIVE_SCHEDULES],
            "lr": 0.02,
            "steps": 100,
        }
    )
    assert not many.exception, many.exception
    for key in ("chart_3d", "chart_contour", "chart_lr", "chart_loss"):
        areas = []
        for at in (one, many):
            layout = _figure(at, key)["layout"]
            areas.append(layout["height"] - layout["margin"]["t"] - layout["margin"]["b"])
        assert areas[0] == areas[1], key  # the drawing keeps its size; the legend's band comes on top
    legend = [t["name"] for t in _figure(many, "chart_lr")["data"] if t.get("showlegend")]
    assert legend == [
        "Constant",
        "Step decay",
        "Cosine annealing",
        "Cosine cycles (no restart)",
        "Linear warm-up + cosine",
        "SGD + momentum (μ=0.5)",
        "Adam",
        "start (−0.98, −0.56)",
        "start (4.5, 4.5)",
    ]


def test_summary_table_fits_and_shows_numbers_for_people():
    at = _app().run()
    (table,) = [frame for frame in at.dataframe if "final_loss" in frame.value]  # not the sidebar's editors
    columns = json.loads(table.proto.columns)
    assert [columns[key]["label"] for key in table.value.columns] == [
        "trajectory",
        "outcome",
        "final f",
        "final ‖∇f‖",
        "distance to θ*",
        "at θ* by step",
        "ends near",
        "final (x, y)",
    ]
    assert columns["label"].get("pinned") is True  # the name stays in view when the rest scrolls
    assert {columns[key]["type_config"].get("format") for key in ("final_loss", "final_grad_norm", "distance")} == {
        "%.3g"
    }
    assert list(table.value["label"]) == [
        "Constant",
        "Step decay",
        "Cosine annealing",
        "Cosine cycles (no restart)",
        "Linear warm-up + cosine",
    ]
    assert all(columns[key].get("help") for key in table.value.columns)


def test_lr_search_shows_its_range_and_warns_at_its_edge():
    at = _app().run()
    at.number_input(key="steps").set_value(200).run()
    _open(at, "LR search")
    objectives, modes = at.selectbox(key="search_objective").options, at.selectbox(key="search_mode").options
    assert not {"distance2", "final_loss", "steps_to_tol", "shared", "per_schedule"} & set(objectives + modes)
    low, high = at.number_input(key="search_low"), at.number_input(key="search_high")
    assert low.value is None and "0.000335" in low.proto.placeholder and "0.368" in high.proto.placeholder
    assert any("from 0.000335 to 0.368" in c.value for c in at.caption)
    at.number_input(key="search_candidates").set_value(30)
    at.toggle(key="search_on").set_value(True).run()
    assert not at.exception, at.exception
    # Fig. 5: the best η0 is the top of the reference's range for every schedule; say so.
    (warning,) = [w.value for w in at.warning]
    assert "top of the range (0.368)" in warning and "beyond" in warning
    names = [t["name"] for t in _figure(at, "chart_search")["data"] if t.get("mode") == "lines"]
    assert names[:2] == ["Constant", "Step decay"]
    at.number_input(key="search_high").set_value(3.0).run()
    assert not at.exception, at.exception
    assert any("from 0.000335 to 3" in c.value for c in at.caption)


def test_hyperparameter_picker_shows_no_html():
    at = _app().run()
    at.selectbox(key="sched.0.id").set_value("cosine_lr").run()
    _open(at, "Hyperparameters")
    options = at.selectbox(key="hparams_y").options
    assert "eta min ηₘᵢₙ — schedule 1 (Cosine annealing)" in options
    assert not [o for o in options if "<" in o]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="image export needs Debian's chromium")
def test_the_gif_takes_the_chosen_size():
    from PIL import Image

    at = _open(_app().run(), "Export & share")
    at.number_input(key="export_width").set_value(600)
    at.number_input(key="export_height").set_value(400)
    at.button(key="make_gif").click().run()
    assert not at.exception, at.exception
    assert Image.open(io.BytesIO(at.session_state["gif"])).size == (600, 400)


def test_a_link_reopens_the_view_not_only_the_scene():
    scene = presets.PRESETS["fig6b-peaks-momentum"].build()
    at = _app()
    at.query_params["s"] = scene_to_query(scene)
    assert not landscapes.SURFACES[scene.surface.id].log_z  # so logz=1 differs from the page's default
    at.query_params.update({"tab": "playback", "logz": "1", "loss": "distance", "logy": "0", "cam": "0.5,-1.2,2"})
    at.run()
    assert not at.exception, at.exception
    assert _shown_scene(at) == scene
    assert at.session_state["tab"] == "Playback" and "chart_playback" in _chart_keys(at)
    assert at.session_state[f"log_z.{scene.surface.id}"] is True
    assert at.session_state["loss_kind"] == "distance to minimizer" and at.session_state["log_y"] is False
    assert at.session_state["view_camera"] == (0.5, -1.2, 2.0)
    assert at.selectbox(key="preset").value == "fig6b-peaks-momentum"  # the scene is that preset
    # The address bar keeps saying so, and the Paths tab draws what the link asked for.
    assert {k: at.query_params[k] for k in ("tab", "logz", "loss", "logy", "cam")} == {
        "tab": "playback", "logz": "1", "loss": "distance", "logy": "0", "cam": "0.5,-1.2,2"
    }  # fmt: skip
    at.session_state["tab"] = "Paths"
    at.run()
    assert _figure(at, "chart_loss")["layout"]["yaxis"]["type"] == "linear"
    assert _figure(at, "chart_3d")["layout"]["scene"]["camera"]["eye"] == {"x": 0.5, "y": -1.2, "z": 2.0}


def test_a_link_with_a_view_it_cannot_read_still_opens_the_scene():
    scene = presets.PRESETS["fig3-saddle"].build()
    at = _app()
    at.query_params["s"] = scene_to_query(scene)
    at.query_params.update({"tab": "nope", "logz": "maybe", "cam": "1e9,0,0", "loss": "<b>"})
    at.run()
    assert not at.exception and _shown_scene(at) == scene
    assert "tab" not in at.query_params and "cam" not in at.query_params


def test_picking_is_said_where_one_clicks_and_ends_with_a_new_preset():
    at = _app().run()
    at.toggle(key="pick_mode").set_value(True).run()
    assert any("Picking start points" in c.value for c in at.main.caption)
    at.selectbox(key="preset").set_value("fig3-saddle").run()
    assert at.toggle(key="pick_mode").value is False
    assert not any("Picking start points" in c.value for c in at.main.caption)


def test_the_sidebar_switches_between_a_surface_and_a_small_network_and_back():
    at = _app().run()
    surface_scene = _shown_scene(at)
    at.segmented_control(key="train_on").set_value("Small network").run()
    assert not at.exception, at.exception
    scene = _shown_scene(at)
    assert scene.task is not None and at.selectbox(key="task").value == scene.task.id
    assert not [w for w in at.sidebar.number_input if w.key == "tolerance"]  # a task has no tolerance
    at.segmented_control(key="train_on").set_value("2-D surface").run()
    assert not at.exception, at.exception
    assert _shown_scene(at) == surface_scene  # the surface, its starts and its settings as they were


def test_a_line_search_preset_draws_its_loss_per_gradient_evaluation():
    at = _app().run()
    assert not [r for r in at.radio if r.key == "loss_x"]  # one evaluation a step everywhere: nothing to choose
    at.selectbox(key="preset").set_value("line-search-vs-fixed-lr").run()
    assert not at.exception, at.exception
    assert at.radio(key="loss_x").value == "gradient evaluations"  # as the preset's caption reads it
    assert _figure(at, "chart_loss")["layout"]["xaxis"]["title"]["text"] == "gradient evaluations"
    at.radio(key="loss_x").set_value("steps").run()
    assert _figure(at, "chart_loss")["layout"]["xaxis"]["title"]["text"] == "step k"
