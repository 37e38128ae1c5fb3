"""Figures for papers and slides (issue 14): layouts, print sizes, file names, scenes inside exported files.

Data and structure tests need no browser. Rendering tests go through kaleido (one shared session) and are
skipped without Chromium; the default run renders one short preset per layout × format, the sweep over every
preset is marked ``slow``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import numpy as np
import pytest

import landscapes
from engine.simulate import run
from figures import layouts, short_labels
from figures.layouts import PRINT, SLIDE, PrintSize
from presets import PRESETS

needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="image export needs Debian's chromium")
FORMATS = ("png", "svg", "pdf")


def run_preset(preset_id: str, steps: int | None = None):
    scene = PRESETS[preset_id].build()
    if steps is not None:
        scene = scene.replace(steps=steps)
    result = run(scene)
    surface = landscapes.SURFACES[scene.surface.id]
    grid = layouts_grid(scene, surface)
    return result, grid, surface.log_z


def layouts_grid(scene, surface):
    from figures import surface_grid

    return surface_grid(scene.surface.id, scene.surface.params, surface.window)


@pytest.fixture(scope="module")
def short():
    """Fig. 5's scene, 80 steps: every panel, quickly."""
    return run_preset("fig5-rosenbrock", steps=80)


@pytest.fixture(scope="module")
def export():
    from figures import export

    yield export
    export.shutdown()


# --- sizes, names, cameras ------------------------------------------------------------------------------


def test_print_sizes_are_millimetres_at_96_css_pixels_per_inch():
    two = PrintSize.of()
    assert (two.width_mm, two.dpi) == (175.0, 300)
    assert two.width_px == round(175 / 25.4 * 96) == 661
    assert round(two.width_px * two.scale()) == round(175 / 25.4 * 300) == 2067
    one = PrintSize.of(column="one", dpi=600)
    assert round(one.width_px * one.scale()) == round(85 / 25.4 * 600)
    assert PrintSize.of(width_mm=120).width_mm == 120
    assert 7 * 96 / 72 == pytest.approx(PRINT.smallest) and PRINT.font == pytest.approx(8 * 96 / 72)
    with pytest.raises(ValueError, match="not both"):
        PrintSize.of(width_mm=80, column="one")
    with pytest.raises(ValueError, match="column must be one of one, two"):
        PrintSize.of(column="three")
    with pytest.raises(ValueError, match="30–400 mm"):
        PrintSize.of(width_mm=5)
    with pytest.raises(ValueError, match="dpi must be"):
        PrintSize.of(dpi=20)


def test_files_are_named_after_the_preset_or_the_surface_and_the_view():
    scene = PRESETS["fig5-rosenbrock"].build()
    assert layouts.scene_name(scene) == "fig5-rosenbrock"
    assert layouts.file_name(scene, "3d", "PNG") == "fig5-rosenbrock_3d.png"
    assert layouts.file_name(scene, "paper", "pdf", PrintSize.of()) == "fig5-rosenbrock_paper-175mm.pdf"
    edited = scene.replace(lr=0.01)
    assert layouts.file_name(edited, "contour", "svg") == "custom-rosenbrock_contour.svg"
    assert layouts.scene_title(scene) == PRESETS["fig5-rosenbrock"].name
    assert layouts.scene_title(edited) == landscapes.SURFACES["rosenbrock"].name


def test_camera_from_an_eye_or_json():
    assert layouts.parse_camera("1.6,-1.6,0.9") == {"eye": {"x": 1.6, "y": -1.6, "z": 0.9}}
    assert layouts.parse_camera('{"x": 1, "y": 2, "z": 0.5}') == {"eye": {"x": 1, "y": 2, "z": 0.5}}
    camera = {"eye": {"x": 1, "y": 1, "z": 1}, "up": {"x": 0, "y": 0, "z": 1}}
    assert layouts.parse_camera(json.dumps(camera)) == camera
    for bad, message in (
        ("1,2", "expected an eye"),
        ("a,b,c", "expected an eye"),
        ("{nope", "does not parse"),
        ('{"eye": {"x": 1}}', "eye needs finite numbers"),
        ('{"eye": {"x": 1, "y": 1, "z": 1}, "zoom": 2}', "unknown part 'zoom'"),
        ("0,0,0", "cannot sit at the centre"),
        ("nan,1,1", "finite"),
    ):
        with pytest.raises(ValueError, match=message):
            layouts.parse_camera(bad)


def test_lessons_with_one_constant_lr_have_no_lr_panel():
    assert layouts.panel_views(run_preset("fig5-rosenbrock", steps=5)[0]) == ["3d", "contour", "lr", "loss"]
    assert layouts.panel_views(run_preset("momentum-helps", steps=5)[0]) == ["3d", "contour", "loss"]
    # three constant LRs, one per run: the LR panel tells them apart
    assert "lr" in layouts.panel_views(run_preset("lr-too-large", steps=5)[0])


# --- the laid-out figures (structure) -------------------------------------------------------------------


def _font_sizes(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                yield f"{path}.{key}", value["size"]
            yield from _font_sizes(value, f"{path}.{key}")
    elif isinstance(node, list | tuple):
        for k, item in enumerate(node):
            yield from _font_sizes(item, f"{path}[{k}]")


def _boxes(figure):
    """Each panel's plot area as (x0, x1, y0, y1) in fractions, by axis or scene name."""
    layout = figure.layout.to_plotly_json()
    boxes = {}
    for key, value in layout.items():
        if key.startswith("scene"):
            boxes[key] = (*value["domain"]["x"], *value["domain"]["y"])
        elif key.startswith("xaxis"):
            y = layout["yaxis" + key[5:]]["domain"]
            boxes[key] = (*value["domain"], *y)
    return boxes


@pytest.mark.parametrize("column", ["one", "two"])
def test_paper_figure_letters_its_panels_and_prints_its_text_at_7_to_9_pt(short, column):
    result, grid, log_z = short
    size = PrintSize.of(column=column)
    figure = layouts.paper_figure(result, grid, log_z, size=size)
    layout = figure.layout.to_plotly_json()
    assert layout["width"] == size.width_px and 0.6 * size.width_px < layout["height"] < 1.4 * size.width_px
    captions = [a["text"] for a in layout["annotations"] if a.get("name", "").startswith("panel")]
    assert [c[:10] for c in captions] == ["<b>(a)</b>", "<b>(b)</b>", "<b>(c)</b>", "<b>(d)</b>"]
    assert "Learning rate" in captions[2] and "Loss" in captions[3]
    boxes = _boxes(figure)
    assert set(boxes) == {"scene", "xaxis2", "xaxis3", "xaxis4"}
    for name, (x0, x1, y0, y1) in boxes.items():
        assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1, name
    names = sorted(boxes)
    for i, a in enumerate(names):  # no two plot areas overlap
        for b in names[i + 1 :]:
            (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) = boxes[a], boxes[b]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)
    # every run's traces sit on the panel they were drawn for
    kinds = {t.type for t in figure.data if getattr(t, "scene", None) == "scene"}
    assert kinds == {"surface", "scatter3d"}
    assert {t.xaxis for t in figure.data if t.type in ("scatter", "contour")} == {"x2", "x3", "x4"}
    legend = [t.name for t in figure.data if t.showlegend is not False and t.name != "surface"]
    assert legend[: result.num_runs] == short_labels(result), "one legend, under all panels, in names people picked"
    for where, font in _font_sizes(layout):
        if ".scene" in where and "tickfont" in where:  # WebGL ticks: see layouts.GL_TICKS
            assert font >= layouts.gl_tick_size(PRINT.smallest) - 1e-9, where
        else:
            assert PRINT.smallest - 1e-9 <= font <= layouts.points_to_px(10), where
    for trace in figure.data:
        for where, font in _font_sizes(trace.to_plotly_json()):
            assert font >= PRINT.smallest - 1e-9, (trace.name, where)
    colorbars = [t for t in figure.data if t.type == "contour" and t.showscale]
    assert len(colorbars) == (1 if column == "two" else 0), "a one-column figure leaves out the colour bar"


def test_slide_is_16_9_with_large_text_and_a_title(short):
    result, grid, log_z = short
    figure = layouts.slide_figure(result, grid, log_z)
    layout = figure.layout.to_plotly_json()
    assert (layout["width"], layout["height"]) == (1920, 1080)
    assert layout["title"]["text"] == "Rosenbrock", "an edited scene is titled with its surface"
    sizes = [font for where, font in _font_sizes(layout) if not (".scene" in where and "tickfont" in where)]
    assert min(sizes) >= SLIDE.smallest
    (x0, x1, y0, y1) = _boxes(figure)["scene"]
    assert (x1 - x0) * 1920 > 700 and (y1 - y0) * 1080 > 800, "the 3-D surface is the large panel"


def test_the_camera_reaches_the_3d_panel(short):
    result, grid, log_z = short
    camera = layouts.parse_camera("2,-1,0.5")
    single = layouts.prepare(result, grid, log_z, view="3d", camera=camera)
    assert single.figure.layout.scene.camera.eye.to_plotly_json() == {"x": 2, "y": -1, "z": 0.5}
    for layout in ("paper", "slide"):
        # A panel narrower than the page's chart sees the scene from the same direction, a little farther back
        # (Plotly's field of view is fixed vertically), so that the whole box stays inside the panel.
        placed = layouts.prepare(result, grid, log_z, layout=layout, camera=camera).figure.layout.scene.camera
        eye, centre = placed.eye, placed.center
        back = (eye.x - centre.x) / (2 - centre.x)
        assert (eye.y - centre.y, eye.z - centre.z) == pytest.approx(((-1 - centre.y) * back, (0.5 - centre.z) * back))
        assert layouts.CAMERA_BACK_LEAST <= back <= layouts.CAMERA_BACK_MOST


def test_single_view_at_a_printed_width(short):
    result, grid, log_z = short
    size = PrintSize.of(column="one")
    prepared = layouts.prepare(result, grid, log_z, view="contour", size=size)
    assert prepared.figure.layout.width == size.width_px and prepared.what == "contour"
    assert all(f >= PRINT.smallest for _, f in _font_sizes(prepared.figure.layout.to_plotly_json()))
    pixels = layouts.prepare(result, grid, log_z, view="lr", width=640, height=480, scale=3)
    assert (pixels.figure.layout.width, pixels.figure.layout.height, pixels.scale) == (640, 480, 3)


# --- scenes inside files (no browser) ---------------------------------------------------------------------


def _tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, "PNG")
    return buffer.getvalue()


def _tiny_pdf() -> bytes:
    """A one-page PDF with a classic cross-reference table, as Skia writes them."""
    objects = [b"<</Title (x)>>", b"<</Type /Catalog /Pages 3 0 R>>", b"<</Type /Pages /Kids [] /Count 0>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<</Size {len(objects) + 1}\n/Root 2 0 R\n/Info 1 0 R>>\nstartxref\n{xref}\n%%EOF".encode()
    return bytes(out)


def _pdf_objects_at_their_offsets(data: bytes) -> dict[int, int]:
    """Follows startxref and every /Prev; checks each in-use entry points at its object. Returns number → offset."""
    offsets: dict[int, int] = {}
    at = int(re.findall(rb"startxref\s+(\d+)\s+%%EOF", data)[-1])
    while True:
        assert data[at : at + 4] == b"xref", at
        table, _, rest = data[at + 4 :].partition(b"trailer")
        lines = table.split(b"\n")
        k = 0
        while k < len(lines):
            header = lines[k].split()
            k += 1
            if len(header) != 2:
                continue
            first, count = int(header[0]), int(header[1])
            for n in range(count):
                entry = lines[k + n].split()
                if entry[2] == b"n":
                    offsets.setdefault(first + n, int(entry[0]))
                    assert data[int(entry[0]) :].startswith(f"{first + n} 0 obj".encode()), first + n
            k += count
        prev = re.search(rb"/Prev\s+(\d+)", rest.split(b">>")[0])
        if prev is None:
            return offsets
        at = int(prev.group(1))


def test_scene_round_trips_through_every_format_without_a_browser():
    from figures import export

    scene = PRESETS["fig3-saddle"].build().to_json()
    about = export.About(scene=scene, title="Fig. 3 — saddle (fig3-saddle, paper)", command="python cli.py …")
    png = export.embed(_tiny_png(), "png", about, dpi=300)
    svg = export.embed(b'<svg xmlns="http://www.w3.org/2000/svg" width="661" height="400"><g/></svg>', "svg", about)
    pdf = export.embed(_tiny_pdf(), "pdf", about)
    page = export.embed(b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html", about)
    for data in (png, svg, pdf, page):
        assert export.embedded_scene(data) == scene
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.info["Title"].startswith("Fig. 3") and image.info["dpi"] == pytest.approx((300, 300), abs=0.05)
    assert json.loads(image.text["Scene"]) == json.loads(scene)
    root = ET.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == about.title
    offsets = _pdf_objects_at_their_offsets(pdf)
    info = int(re.findall(rb"/Info (\d+) 0 R", pdf)[-1])
    assert info in offsets and info == 4, "the new information dictionary is the update's object"
    assert _pdf_text_string(pdf, b"/Title") == about.title
    sized = export.embed(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="661" height="400"/>', "svg", about, width_mm=175
    )
    assert ET.fromstring(sized).get("width") == "175.00mm" and ET.fromstring(sized).get("height") == "105.90mm"


def _pdf_text_string(data: bytes, key: bytes) -> str:
    raw = re.findall(re.escape(key) + rb"\s*<([0-9A-Fa-f]+)>", data)[-1]
    return bytes.fromhex(raw.decode())[2:].decode("utf-16-be")


def test_a_file_without_a_scene_says_what_to_pass_instead():
    from figures import export

    with pytest.raises(ValueError, match=r"'x.png' holds no scene.*side-car NAME.scene.json"):
        export.embedded_scene(_tiny_png(), "'x.png'")
    with pytest.raises(ValueError, match="neither a scene JSON file nor an exported"):
        export.embedded_scene(b"GIF89a...", "'x.gif'")


def test_invisible_click_targets_are_not_drawn():
    from figures.export import _drawn

    assert not _drawn({"type": "scatter", "mode": "markers", "marker": {"opacity": 0}, "name": "cells 1"})
    assert not _drawn({"type": "scatter", "name": "pick"})
    assert _drawn({"type": "scatter", "mode": "markers", "marker": {"opacity": 0.5}})
    assert _drawn({"type": "heatmap", "z": [[1]]})


# --- rendered (kaleido) -------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text a PDF shows, decoded through its fonts' ToUnicode maps (Skia's PDFs: Identity-H fonts, text
    as hex glyph strings). One line per text object."""
    objects = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S):
        body = match.group(2)
        stream = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        content = None
        if stream:
            content = stream.group(1)
            if b"/FlateDecode" in body[: stream.start()]:
                try:  # an image's binary data may hold "endobj" and cut its stream short: not text anyway
                    content = zlib.decompressobj().decompress(content)
                except zlib.error:
                    content = None
        objects[int(match.group(1))] = (body, content)
    cmaps = {}
    for number, (body, _) in objects.items():
        ref = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if ref:
            cmap, text = {}, objects[int(ref.group(1))][1] or b""
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
                for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
            for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
                for low, high, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    for k, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                        cmap[code] = chr(int(dst, 16) + k)
            cmaps[number] = cmap
    fonts = {}
    for names in re.findall(rb"/Font\s*<<(.*?)>>", data, re.S):
        for name, number in re.findall(rb"/(\w+) (\d+) 0 R", names):
            fonts[name] = cmaps.get(int(number), {})
    pieces = []
    for _, content in objects.values():
        if not content or b"Tf" not in content:
            continue
        font: dict[int, str] = {}
        for match in re.finditer(rb"/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]*)>|\b(ET)\b", content):
            if match.group(1):
                font = fonts.get(match.group(1), {})
            elif match.group(3):
                pieces.append("\n")
            else:
                raw = bytes.fromhex(match.group(2).decode())
                pieces.append(
                    "".join(font.get(int.from_bytes(raw[i : i + 2], "big"), "?") for i in range(0, len(raw), 2))
                )
    return "".join(pieces)


def svg_text(data: bytes) -> str:
    return "\n".join("".join(e.itertext()) for e in ET.fromstring(data).iter("{http://www.w3.org/2000/svg}text"))


def path_coverage(export, prepared) -> tuple[int, float]:
    """Pixels of the 3-D panel that the paths change (rendered with and without them): count and fraction."""
    from PIL import Image

    figure = prepared.figure.to_dict()
    width, height = figure["layout"]["width"], figure["layout"]["height"]

    def pixels(fig):
        image = Image.open(io.BytesIO(export.render(fig, "png", width, height, prepared.scale))).convert("RGB")
        return np.asarray(image, np.int16)

    with_paths = pixels(figure)
    without = pixels({**figure, "data": [t for t in figure["data"] if t["type"] != "scatter3d"]})
    domain = figure["layout"]["scene"].get("domain", {"x": [0, 1], "y": [0, 1]})
    rows, cols = with_paths.shape[:2]
    x0, x1 = int(domain["x"][0] * cols), int(domain["x"][1] * cols)
    y0, y1 = int((1 - domain["y"][1]) * rows), int((1 - domain["y"][0]) * rows)
    changed = np.abs(with_paths - without).sum(axis=-1)[y0:y1, x0:x1] > 60
    return int(changed.sum()), float(changed.mean())


def check_export(export, scene, prepared, fmt: str, result) -> bytes:
    """Renders ``prepared`` as the command line does and checks what every export promises."""
    name = layouts.file_name(scene, prepared.what, fmt, prepared.size)
    about = layouts.describe(scene, prepared, name)
    size = prepared.size
    data = export.export_file(
        prepared.figure,
        fmt,
        scale=prepared.scale,
        dpi=size.dpi if size else None,
        width_mm=size.width_mm if size else None,
        about=about,
    )
    assert export.embedded_scene(data) == scene.to_json()
    words = [label.split(" · ")[0] for label in short_labels(result)]
    if prepared.what in ("paper", "slide"):
        words += ["(a)", "(b)", "(c)", "Loss"]
    width, height = prepared.figure.layout.width, prepared.figure.layout.height
    if fmt == "png":
        from PIL import Image

        image = Image.open(io.BytesIO(data))
        assert image.size[0] == round(width * prepared.scale)
        assert abs(image.size[1] - height * prepared.scale) <= 1  # Chromium rounds the height its own way
        if size is not None:
            assert image.size[0] == round(size.width_mm / 25.4 * size.dpi)
            assert image.info["dpi"] == pytest.approx((size.dpi, size.dpi), abs=0.05)
    elif fmt == "svg":
        text = svg_text(data)
        assert all(word in text for word in words), [w for w in words if w not in text]
        root = ET.fromstring(data)
        if size is not None:
            assert root.get("width") == f"{size.width_mm:.2f}mm"
    else:
        text = pdf_text(data)
        assert all(word in text for word in words), [w for w in words if w not in text]
        assert b"/FontFile2" in data, "fonts are embedded"
        box = [float(v) for v in re.search(rb"/MediaBox \[([^\]]+)\]", data).group(1).split()]
        # Chromium rounds the page up to whole 1/300 inch (0.24 pt), sometimes a few
        assert box[2] == pytest.approx(width * 0.75, abs=1) and box[3] == pytest.approx(height * 0.75, abs=1)
        if size is not None:
            assert box[2] / 72 * 25.4 == pytest.approx(size.width_mm, abs=0.3)
    return data


LAYOUT_CASES = {
    "single": dict(layout="single", view="3d", width=640, height=480, scale=1.0),
    "paper": dict(layout="paper", size=PrintSize.of(column="one", dpi=300)),
    "slide": dict(layout="slide"),
}


@needs_chromium
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("layout", list(LAYOUT_CASES))
def test_each_layout_renders_in_each_format(export, short, layout, fmt):
    result, grid, log_z = short
    prepared = layouts.prepare(result, grid, log_z, **LAYOUT_CASES[layout])
    check_export(export, result.scene, prepared, fmt, result)


@needs_chromium
def test_paths_show_on_the_3d_panel(export):
    result, grid, log_z = run_preset("fig5-rosenbrock")
    prepared = layouts.prepare(result, grid, log_z, layout="slide")
    count, fraction = path_coverage(export, prepared)
    assert count > 2000 and fraction > 0.004, (count, fraction)


@needs_chromium
def test_a_128_by_128_basin_map_is_a_small_svg_that_looks_the_same(export):
    from PIL import Image

    import analysis
    from figures.sweeps import basins_figure

    scene = PRESETS["fig6b-peaks-momentum"].build().replace(steps=60)
    figure = basins_figure(analysis.basins(scene, resolution=128))
    svg = export.to_svg(figure, 1200, 800)
    assert len(svg) < 500_000, len(svg)
    assert svg.count(b"<image") >= 5, "each map's cells are one image"
    # The PNG is the same with or without the invisible click targets the SVG leaves out.
    everything = figure.to_dict()
    opts = {"format": "png", "width": 1200, "height": 800, "scale": 1}
    full = export._renderer.wait(export._renderer.submit(everything, opts))
    shown = export.to_png(figure, 1200, 800)

    def array(data):
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.int16)

    assert np.abs(array(full) - array(shown)).max() <= 2


# Fig. 6(a)'s paths end within a few steps in the local minimum: on the slide's 3-D panel they change 263 pixels
# (0.04 %) while the camera frames the surface's whole window. Framing on the paths' region is issue 14's first
# bullet (figures/paths.py); until it lands this case shows the problem rather than hiding it.


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize(
    "preset_id",
    [key for key, preset in PRESETS.items() if "task" not in preset.scene],  # a network's exports: test_task_*
)
def test_every_preset_in_every_layout_and_format(export, preset_id, tmp_path):
    result, grid, log_z = run_preset(preset_id)
    scene = result.scene
    for case in ({"layout": "paper"}, {"layout": "paper", "size": PrintSize.of(column="one")}, {"layout": "slide"}):
        prepared = layouts.prepare(result, grid, log_z, **case)
        for fmt in FORMATS:
            data = check_export(export, scene, prepared, fmt, result)
            Path(tmp_path, layouts.file_name(scene, prepared.what, fmt, prepared.size)).write_bytes(data)
        count, fraction = path_coverage(export, prepared)
        assert count > 300 and fraction > 0.0005, (case, count, fraction)
