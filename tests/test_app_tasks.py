"""The page with a task scene, under Streamlit's AppTest: the task's views, its link, and the Real network tab."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import presets
from engine.scene import Scene
from engine.urlstate import scene_from_query, scene_to_query

TIMEOUT = 300
APP = str(Path(__file__).resolve().parent.parent / "app.py")
pytestmark = pytest.mark.xdist_group("app")
SMALL = Scene.build(
    {
        "task": {"id": "digits_mlp", "params": {"hidden": 8}},
        "seeds": [0, 1],
        "optimizers": [{"id": "momentum"}],
        "schedules": [{"id": "cosine_lr"}, {"id": "constant_lr"}],
        "steps": 60,
    }
)


def _charts(at: AppTest) -> dict[str, dict]:
    return {element.proto.id.rsplit("-", 1)[-1]: json.loads(element.proto.spec) for element in at.get("plotly_chart")}


def _open(at: AppTest, key: str, tab: str) -> AppTest:
    at.session_state[key] = tab
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["s"] = scene_to_query(SMALL)
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_link_to_a_task_scene_opens_its_views(page):
    assert Scene.from_json(page.session_state["last_scene"]) == SMALL
    link = page.query_params["s"]
    assert scene_from_query(link[0] if isinstance(link, list) else link) == SMALL
    charts = _charts(page)
    assert set(charts) == {"chart_task_curves", "chart_task_lr"}
    assert len(charts["chart_task_curves"]["data"]) == 4 * SMALL.num_runs
    assert "chart_3d" not in charts  # no surface to draw
    assert not page.get("error")


def test_every_task_tab_draws(page):
    _open(page, "task_tab", "Landscape")
    assert {"chart_task_contour", "chart_task_surface"} <= set(_charts(page))
    page.radio(key="taskview.directions").set_value("random").run()
    assert not page.exception
    assert any("Sharpness" in caption.value for caption in page.caption)
    _open(page, "task_tab", "Interpolation")
    assert "chart_task_interpolation" in _charts(page)
    page.selectbox(key="taskview.interp_other").set_value(2).run()
    assert "between the final weights" in _charts(page)["chart_task_interpolation"]["layout"]["title"]["text"]
    _open(page, "task_tab", "Playback")
    playback = _charts(page)["chart_task_playback"]
    assert len(playback["frames"]) == 61
    _open(page, "task_tab", "Export & share")
    assert {button.proto.label for button in page.get("download_button")} >= {"PNG", "Curves (CSV)", "Scene (JSON)"}
    assert scene_to_query(SMALL) in page.code[0].value


def test_the_real_network_tab_trains_a_surface_scene_s_choices():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    _open(at, "tab", "Real network")
    at.selectbox(key="net.task").set_value("digits_logreg").run()
    at.toggle(key="net.on").set_value(True).run()
    assert not at.exception, at.exception
    assert {"chart_net_curves", "chart_net_contour"} <= set(_charts(at))
    at.button(key="open_network").click().run()
    scene = Scene.from_json(at.session_state["last_scene"])
    surface = presets.PRESETS[presets.DEFAULT_PRESET].build()
    assert scene.task.id == "digits_logreg" and scene.schedules == surface.schedules
    assert "chart_task_curves" in _charts(at)


def _sidebar_with_task_controls():
    import streamlit as st

    from ui import tasks as ui_tasks

    ui_tasks.task_controls(st.sidebar, 2000)


def test_the_sidebar_s_task_controls_write_the_keys_a_task_scene_is_built_from():
    from ui import task_state

    at = AppTest.from_function(_sidebar_with_task_controls, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="task").value == "digits_mlp" and at.text_input(key="seeds").value == "0"
    at.selectbox(key="task").set_value("moons_mlp").run()
    at.number_input(key="task.moons_mlp.hidden").set_value(8).run()
    at.text_input(key="seeds").set_value("1, 2").run()
    values = {key: at.session_state[key] for key in ("task", "seeds", "task.moons_mlp.hidden")}
    scene = Scene.build(task_state.with_task(values, {"optimizers": [{"id": "adam"}]}))
    assert scene.task.id == "moons_mlp" and scene.task.params == {"hidden": 8} and scene.seeds == [1, 2]
