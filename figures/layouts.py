"""Figures laid out for papers and slides: the survey's panels in one figure, at print or slide size.

The survey shows each experiment of its Section 4.1 as lettered panels (Liu & Zhang 2023, Fig. 5:
(a) the paths on the surface, (b) the learning rates, (c) the loss; the reference pipeline also
drew the contour with the paths). :func:`paper_figure` puts the same panels into one Plotly
figure: (a) the 3-D surface with the paths, (b) the contour, (c) the LR curves, (d) the loss,
lettered, sized in millimetres for a journal column, text 7–9 pt as printed. :func:`slide_figure`
puts them on a 16:9 slide with text a room can read. A scene whose runs all use one constant LR
(most teaching presets) has no LR panel: a flat line says nothing the legend does not.

Panels are not drawn again here: every panel is the figure :mod:`figures.views` draws for that
view, moved into its place (its traces onto the panel's axes or 3-D scene, its axes' settings kept,
its title made the panel's caption), then every font, line and marker is scaled to the size the
figure is printed at. A change to a view shows in its panel.

Sizes: Plotly and Chromium lay out in CSS pixels, 96 to the inch; a PDF page gets 0.75 pt per
pixel, so a figure ``w`` mm wide is laid out ``w / 25.4 · 96`` pixels wide and a PNG at ``dpi``
is rendered at scale ``dpi / 96``.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import plotly.graph_objects as go

import landscapes
from engine.scene import Scene
from engine.simulate import Result
from figures import theme
from figures.paths import FONT, SurfaceGrid

MM_PER_INCH = 25.4
CSS_DPI = 96  # Chromium's pixels per inch: the PDF page is 0.75 pt per layout pixel
COLUMNS_MM = {
    "one": 85.0,
    "two": 175.0,
}  # a journal's single and double column (Elsevier, IEEE, Springer: 84–90, 174–180)
DEFAULT_DPI = 300
LAYOUTS = ("single", "paper", "slide")
SLIDE_SIZE = (1920, 1080)  # 16:9, a full-HD projector's pixels
LETTERS = "abcdefghijklmnopqrstuvwxyz"
MIN_PRINT_MM, MAX_PRINT_MM = 30.0, 400.0
MIN_DPI, MAX_DPI = 72, 1200


def points_to_px(points: float) -> float:
    """A font size in points (1/72 inch) as CSS pixels (1/96 inch)."""
    return points * CSS_DPI / 72


def mm_to_px(mm: float) -> float:
    """A length in millimetres as CSS pixels."""
    return mm / MM_PER_INCH * CSS_DPI


class Style(NamedTuple):
    """How large the text, lines and markers of a laid-out figure are, in CSS pixels."""

    font: float  # ticks, legend, axis titles
    smallest: float  # no text below this
    caption: float  # the lettered panel captions
    lines: float  # line widths and marker sizes, relative to the page's figures


# Print: 8 pt text, nothing under 7 pt, 9 pt captions (most journals ask 6–8 pt minimum, 8–10 pt captions).
PRINT = Style(font=points_to_px(8), smallest=points_to_px(7), caption=points_to_px(9), lines=0.6)
# A 1920 × 1080 slide shown full screen: 30 px is about 15 pt on a 13.3-inch-wide slide, 2.8 % of its height.
SLIDE = Style(font=30.0, smallest=26.0, caption=34.0, lines=1.7)


class PrintSize(NamedTuple):
    """A figure's printed width and the pixel density of its PNG."""

    width_mm: float
    dpi: int = DEFAULT_DPI

    @property
    def width_px(self) -> int:
        """The layout width in CSS pixels."""
        return round(mm_to_px(self.width_mm))

    def scale(self) -> float:
        """Kaleido's scale for a PNG of ``width_mm`` at ``dpi``: exactly ``round(width_mm / 25.4 · dpi)`` pixels."""
        return round(self.width_mm / MM_PER_INCH * self.dpi) / self.width_px

    @staticmethod
    def of(width_mm: float | None = None, column: str | None = None, dpi: int | None = None) -> PrintSize:
        """The size a command line or a form asks for: a column (``one``, ``two``) or a width in mm, and a dpi."""
        if width_mm is not None and column is not None:
            raise ValueError(f"give a column or a width in mm, not both: got {column=} and {width_mm=}")
        if column is not None and column not in COLUMNS_MM:
            raise ValueError(f"column must be one of {', '.join(COLUMNS_MM)}, got {column=}")
        width = COLUMNS_MM[column or "two"] if width_mm is None else float(width_mm)
        if not (MIN_PRINT_MM <= width <= MAX_PRINT_MM):
            raise ValueError(f"a printed width must be {MIN_PRINT_MM:g}–{MAX_PRINT_MM:g} mm, got {width_mm=}")
        dpi = DEFAULT_DPI if dpi is None else int(dpi)
        if not (MIN_DPI <= dpi <= MAX_DPI):
            raise ValueError(f"dpi must be {MIN_DPI}–{MAX_DPI}, got {dpi=}")
        return PrintSize(width, dpi)


# --- names -------------------------------------------------------------------------------------------


def scene_name(scene: Scene) -> str:
    """The preset's id when ``scene`` is a preset as it ships (``fig5-rosenbrock``), else ``custom-SURFACE``
    (``custom-TASK`` for a network trained on data)."""
    from presets import preset_of

    subject = scene.task.id if getattr(scene, "task", None) is not None else scene.surface.id
    return preset_of(scene) or f"custom-{subject}"


def scene_title(scene: Scene) -> str:
    """The preset's name (``Fig. 5 — Rosenbrock canyon, five schedules``), else the surface's name."""
    from presets import PRESETS

    name = scene_name(scene)
    if name in PRESETS:
        return PRESETS[name].name
    return _surface_name(scene)


def file_name(scene: Scene, what: str, extension: str, size: PrintSize | None = None) -> str:
    """The file an export is saved as: the scene's name, the view or layout, and a print width.

    ``fig5-rosenbrock_3d.png``, ``custom-rosenbrock_contour.svg``, ``fig5-rosenbrock_paper-175mm.pdf``.
    """
    stem = f"{scene_name(scene)}_{what}"
    if size is not None:
        stem += f"-{size.width_mm:g}mm"
    return f"{stem}.{extension.lstrip('.').lower()}"


def parse_camera(text: str) -> dict[str, Any]:
    """A Plotly 3-D camera from ``x,y,z`` (where the eye is) or JSON (``{"eye": {...}, "up": ..., "center": ...}``
    or just an eye ``{"x": .., "y": .., "z": ..}``). Raises ValueError saying what is expected."""
    expected = 'expected an eye "x,y,z" (e.g. 1.6,-1.6,0.9) or a camera as JSON ({"eye": {"x": 1.6, ...}})'
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"camera: {expected}; the JSON does not parse ({error.msg})") from None
        camera = data if any(k in data for k in ("eye", "up", "center")) else {"eye": data}
    else:
        parts = text.split(",")
        try:
            if len(parts) != 3:
                raise ValueError
            camera = {"eye": dict(zip("xyz", (float(p) for p in parts), strict=True))}
        except ValueError:
            raise ValueError(f"camera: {expected}, got {text!r}") from None
    unknown = set(camera) - {"eye", "up", "center", "projection"}
    if unknown:
        raise ValueError(f"camera: unknown part {sorted(unknown)[0]!r}; {expected}")
    for part in ("eye", "up", "center"):
        if part not in camera:
            continue
        point = camera[part]
        ok = isinstance(point, Mapping) and set(point) == set("xyz")
        if not ok or not all(isinstance(v, int | float) and math.isfinite(v) for v in point.values()):
            raise ValueError(f"camera: {part} needs finite numbers x, y and z, got {point!r}")
    eye = camera.get("eye")
    if eye is not None and math.hypot(eye["x"], eye["y"], eye["z"]) < 1e-6:
        raise ValueError("camera: the eye cannot sit at the centre (0, 0, 0)")
    return camera


# --- which panels ------------------------------------------------------------------------------------


def panel_views(result: Result) -> list[str]:
    """The views a laid-out figure shows: the 3-D surface, the contour, the LR (unless every run used one
    constant LR, as most teaching presets do) and the loss."""
    lr = np.asarray(result.lr, np.float64)
    one_lr = lr.size == 0 or bool(np.all(lr == lr.flat[0]))
    return ["3d", "contour", "loss"] if one_lr else ["3d", "contour", "lr", "loss"]


def view_figures(result: Result, grid: SurfaceGrid, log_z: bool, camera: Mapping | None = None) -> dict[str, go.Figure]:
    """Each panel's figure, drawn as the page draws its view."""
    from figures.views import draw

    return {view: draw(view, result, grid, log_z, camera=camera) for view in panel_views(result)}


# --- geometry ----------------------------------------------------------------------------------------


class Cell(NamedTuple):
    """Where a panel goes, in CSS pixels from the figure's top-left corner."""

    view: str
    left: float
    top: float
    width: float
    height: float


class Needs(NamedTuple):
    """What a panel needs around and of its plot area, in CSS pixels."""

    left: float  # tick labels and the y title
    right: float  # a colour bar
    top: float  # the caption
    bottom: float  # tick labels and the x title
    aspect: float | None  # plot height / width it looks right at; None for a 3-D scene (it fills its cell)
    least_height: float  # its y title must fit beside it

    def height_for(self, width: float, most: float) -> float:
        """The cell height for a cell ``width`` wide: the plot at its aspect, at least ``least_height``, at most
        ``most`` (pixels of plot)."""
        plot = width - self.left - self.right
        return self.top + self.bottom + max(self.least_height, min(most, (self.aspect or 0.75) * plot))


def _text_width(text: str, font: float) -> float:
    """About how wide ``text`` is set in Arial at ``font`` pixels (mean advance about 0.55 em; tags dropped)."""
    return 0.58 * font * len(re.sub(r"<[^>]+>", "", text))


def _needs(source: dict, style: Style, colorbar: bool) -> Needs:
    layout = source["layout"]
    caption = 1.9 * style.caption
    if "scene" in layout:  # the z title hangs out of the scene's box on the left
        return Needs(2.5 * style.font, 0, caption, 0, None, 0)
    y_title = (layout.get("yaxis", {}).get("title") or {}).get("text", "")
    aspect = 0.6
    x_range, y_range = layout.get("xaxis", {}).get("range"), layout.get("yaxis", {}).get("range")
    if x_range and y_range and "contour" in {t.get("type") for t in source["data"]}:
        aspect = min(1.0, max(0.5, abs(y_range[1] - y_range[0]) / abs(x_range[1] - x_range[0])))
    y_axis = layout.get("yaxis", {})
    if y_axis.get("type") == "log":
        labels = 4.6 if y_axis.get("exponentformat") == "power" else 4.0  # 10⁻²⁰ (its superscript counts)
    else:
        labels = 0.58 * _tick_chars(y_range or _array_of(source["data"], "y"))
    return Needs(
        left=(labels + 2.2) * style.font,
        right=1.6 * style.font + (4.4 * style.font if colorbar else 0),  # room for a last tick label
        top=caption + 0.4 * style.font,
        bottom=3.1 * style.font,
        aspect=aspect,
        least_height=_text_width(y_title, style.font) + style.font,
    )


def _array_of(traces: Sequence[dict], axis: str) -> np.ndarray:
    return np.concatenate([np.empty(0)] + [_array(t[axis]) for t in traces if t.get(axis) is not None])


def _tick_chars(values: Any) -> int:
    """About how many characters the widest tick label of a linear axis over ``values`` has: Plotly's ticks
    step by 1, 2 or 5 times a power of ten, about six to an axis."""
    values = np.asarray(values, np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 4
    low, high = float(values.min()), float(values.max())
    span = high - low or abs(high) or 1.0
    decimals = max(0, -math.floor(math.log10(span / 6)))
    return max(len(f"{v:.{decimals}f}") for v in (low, high))


def paper_cells(
    views: Sequence[str], width: float, height: float | None, needs: Mapping[str, Needs]
) -> tuple[list[Cell], float]:
    """Two columns: (a) the 3-D surface beside (b) the contour, then the LR beside the loss (or the loss
    alone, full width). The width decides the height (``height`` is ignored); returns the cells and it."""
    half = width / 2
    top = max(needs[views[1]].height_for(half, most=1.2 * half), 0.78 * half + needs[views[0]].top)
    cells = [Cell(views[0], 0, 0, half, top), Cell(views[1], half, 0, half, top)]
    rest = views[2:]
    if not rest:
        return cells, top
    w = width / len(rest)
    bottom = max(needs[view].height_for(w, most=0.3 * width) for view in rest)
    cells += [Cell(view, k * w, top, w, bottom) for k, view in enumerate(rest)]
    return cells, top + bottom


def slide_cells(
    views: Sequence[str], width: float, height: float | None, needs: Mapping[str, Needs]
) -> tuple[list[Cell], float]:
    """The 3-D surface large on the left; the contour top right; the LR and loss below it (16:9 unless
    ``height`` is given)."""
    height = width * 9 / 16 if height is None else height
    left = 0.44 * width
    right = width - left
    top = 0.56 * height
    cells = [Cell(views[0], 0, 0, left, height), Cell(views[1], left, 0, right, top)]
    rest = views[2:]
    w = right / max(1, len(rest))
    cells += [Cell(view, left + k * w, top, w, height - top) for k, view in enumerate(rest)]
    return cells, height


# --- moving a view's figure into a panel -----------------------------------------------------------------

# Plotly's 3-D scenes (WebGL) draw tick labels with digits about size² / 18 pixels tall for a tick font size of
# ``size`` (measured through kaleido in these layouts: 12 → 8, 16 → 15, 24 → 33, 32 → 58 px, at any scale),
# where 2-D text of size ``s`` has digits 0.7·s tall. Their axis titles are drawn at ``size``, as 2-D text is.
GL_TICKS = 18 * 0.7


def gl_tick_size(px: float) -> float:
    """The tick font size that makes a 3-D scene's tick labels as tall as 2-D text of size ``px``."""
    return math.sqrt(GL_TICKS * px)


def _scale_fonts(node: Any, factor: float, style: Style, gl: bool = False) -> Any:
    """Every explicit font size under ``node`` times ``factor``, never below ``style.smallest``. ``gl``: the
    node is a 3-D scene, whose tick labels get the size that draws them that large."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and isinstance(value.get("size"), int | float):
                size = max(style.smallest, value["size"] * factor)
                value = {**value, "size": gl_tick_size(size) if gl and key == "tickfont" else size}
            out[key] = _scale_fonts(value, factor, style, gl)
        return out
    if isinstance(node, list):
        return [_scale_fonts(item, factor, style, gl) for item in node]
    return node


def _scene_text(scene: dict, style: Style, side: float) -> dict:
    """A 3-D scene's axes with tick labels of at least ``style.smallest`` pixels, and fewer ticks where the
    scene is small (``side``: its shorter side in pixels)."""
    scene = dict(scene)
    for axis in ("xaxis", "yaxis", "zaxis"):
        settings = dict(scene.get(axis, {}))
        settings.setdefault("tickfont", {}).setdefault("size", gl_tick_size(style.smallest))
        if side < 12 * style.font:
            settings["nticks"] = min(settings.get("nticks", 4), 4)
        scene[axis] = settings
    return scene


# Plotly's 3-D view has a fixed vertical field of view, so a cell narrower than the page's 3-D chart shows less
# of the box's width: below PAGE_3D_ASPECT (width / height; the page's chart is about 1.4 with room to spare at
# the sides) the camera steps back by the ratio, at most CAMERA_BACK_MOST times; and always a little
# (CAMERA_BACK_LEAST), so that the floor's contour lines under the box stay inside the panel.
PAGE_3D_ASPECT, CAMERA_BACK_LEAST, CAMERA_BACK_MOST = 1.2, 1.25, 1.6
SMALL_SCENE_LINES, CAMERA_BACK_SMALL = 16, 1.45


def _camera_for(camera: Mapping[str, Any], aspect: float, side_in_text: float = math.inf) -> dict[str, Any]:
    """``camera`` (as the page or a ``--camera`` placed it) stepped back from the centre so that a scene of
    ``aspect`` (width / height) shows what the page's wider chart shows. ``side_in_text``: the scene's shorter
    side in lines of its text; in a small panel (under SMALL_SCENE_LINES) the tick labels, which keep their
    printed size, take more of it, and the camera steps back further."""
    camera = copy.deepcopy(dict(camera))
    least = CAMERA_BACK_LEAST if side_in_text >= SMALL_SCENE_LINES else CAMERA_BACK_SMALL
    back = min(CAMERA_BACK_MOST, max(least, PAGE_3D_ASPECT / max(aspect, 1e-6)))
    eye, center = camera.get("eye"), camera.get("center") or {"x": 0.0, "y": 0.0, "z": 0.0}
    if isinstance(eye, Mapping):
        camera["eye"] = {k: center.get(k, 0.0) + back * (eye[k] - center.get(k, 0.0)) for k in "xyz"}
    return camera


def _scale_marks(trace: dict, factor: float) -> dict:
    """Line widths and marker sizes times ``factor`` (hairlines such as contour lines stay as they are)."""
    trace = copy.deepcopy(trace)
    line = trace.get("line")
    if isinstance(line, dict) and isinstance(line.get("width"), int | float) and line["width"] > 1:
        line["width"] = line["width"] * factor
    marker = trace.get("marker")
    if isinstance(marker, dict):
        size = marker.get("size")
        if isinstance(size, int | float):
            marker["size"] = size * factor
        elif isinstance(size, list | tuple | np.ndarray):
            marker["size"] = [s * factor for s in size]
        outline = marker.get("line")
        if isinstance(outline, dict) and isinstance(outline.get("width"), int | float):
            outline["width"] = max(0.5, outline["width"] * factor)
    return trace


def _remap_ref(ref: str, suffix: str) -> str:
    """``x`` → ``x3``, ``y domain`` → ``y3 domain``; ``paper`` stays (moved by the caller)."""
    match = re.fullmatch(r"([xy])(\d*)( domain)?", ref)
    if match is None:
        return ref
    if match.group(2) not in ("", "1"):
        raise ValueError(f"a panel's figure must use one pair of axes, got {ref!r}")
    return f"{match.group(1)}{suffix}{match.group(3) or ''}"


def _array(value: Any) -> np.ndarray:
    """Numbers of a trace's field as JSON holds them: a list, or Plotly's typed array ``{dtype, bdata}``."""
    if isinstance(value, dict) and "bdata" in value:
        data = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return data.astype(np.float64)
    try:
        return np.asarray(value, np.float64).ravel()
    except (TypeError, ValueError):  # categories, dates
        return np.empty(0)


def _decades(traces: Sequence[dict], axis: str) -> float:
    """How many powers of ten the positive values of the traces span along ``axis`` ("x" or "y")."""
    values = _array_of(traces, axis)
    values = values[np.isfinite(values) & (values > 0)]
    return float(np.log10(values.max() / values.min())) if values.size else 0.0


class _Panel(NamedTuple):
    traces: list[dict]
    layout: dict[str, Any]  # xaxisN and yaxisN, or sceneN
    annotations: list[dict]
    shapes: list[dict]


def _place(
    source: dict,
    number: int,
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
    style: Style,
    colorbar: dict | None,
    legend: bool,
    plot_width: float,
    plot_height: float,
) -> _Panel:
    """One view's figure (as JSON) moved onto panel ``number``'s axes (or scene) with the given domains
    (fractions of the figure), its text and marks scaled to ``style``; its plot area is ``plot_width ×
    plot_height`` pixels."""
    layout_in = source["layout"]
    suffix = "" if number == 1 else str(number)
    factor = style.font / FONT["size"]
    traces = []
    for trace in source["data"]:
        if trace.get("name") == "pick":
            continue
        # Paths on a 3-D surface are what the panel is for: never thinner than on the page.
        marks = max(1.0, style.lines) if "scene" in layout_in else style.lines
        trace = _scale_marks(_scale_fonts(trace, factor, style), marks)
        trace.pop("uid", None)
        if "scene" in layout_in:
            trace["scene"] = f"scene{suffix}"
        else:
            trace["xaxis"] = _remap_ref(trace.get("xaxis", "x"), suffix)
            trace["yaxis"] = _remap_ref(trace.get("yaxis", "y"), suffix)
        if not legend:
            trace["showlegend"] = False
        if trace.get("showscale"):
            if colorbar is None:
                trace["showscale"] = False
            else:
                trace["colorbar"] = theme.merge(trace.get("colorbar", {}), colorbar)
        traces.append(trace)
    layout: dict[str, Any] = {}
    if "scene" in layout_in:
        scene = _scene_text(
            _scale_fonts(layout_in["scene"], factor, style, gl=True), style, min(plot_width, plot_height)
        )
        scene["domain"] = {"x": list(x_domain), "y": list(y_domain)}
        scene["camera"] = _camera_for(
            scene.get("camera") or {}, plot_width / max(1.0, plot_height), min(plot_width, plot_height) / style.font
        )
        layout[f"scene{suffix}"] = scene
    else:
        for axis, other, domain in (("xaxis", "y", x_domain), ("yaxis", "x", y_domain)):
            settings = _scale_fonts(layout_in.get(axis, {}), factor, style)
            settings.update(domain=list(domain), anchor=f"{other}{suffix}", automargin=True)
            for link in ("scaleanchor", "matches", "overlaying"):
                if isinstance(settings.get(link), str):
                    settings[link] = _remap_ref(settings[link], suffix)
            if axis == "xaxis" and settings.get("type", "linear") == "linear":
                # As many tick labels as fit side by side, never turned on their side (a narrow panel's labels
                # would otherwise stand up and push the axis title into the legend).
                label = (0.58 * _tick_chars(_array_of(traces, "x")) + 1.0) * style.font
                settings["nticks"] = min(settings.get("nticks") or 8, max(3, math.floor(plot_width / label)))
                settings["tickangle"] = 0
            decades = _decades(traces, axis[0]) if settings.get("type") == "log" else 0.0
            if decades >= 2 and "dtick" not in settings:
                # Labels on powers of ten, as many as fit (Plotly's 2s and 5s, or every decade, crowd a panel).
                room = (plot_height if axis == "yaxis" else plot_width) / (2.4 * style.font)
                settings["dtick"] = max(1, math.ceil(decades / max(1.0, room)))
            if axis == "yaxis" and settings.get("type") == "log" and settings.get("exponentformat") == "power":
                # Plotly places the title beside the tick labels without their superscripts (10⁻²⁰): move it out.
                title = settings.setdefault("title", {})
                title["standoff"] = title.get("standoff", 15) * factor + 0.9 * style.font
            layout[f"{axis}{suffix}"] = settings
    annotations, shapes = [], []
    for kind, out in (("annotations", annotations), ("shapes", shapes)):
        for item in layout_in.get(kind, []):
            item = _scale_fonts(dict(item), factor, style)
            for axis, domain in (("x", x_domain), ("y", y_domain)):
                ref = item.get(f"{axis}ref", "paper" if kind == "annotations" else axis)
                if ref == "paper":
                    for key in (axis, f"{axis}0", f"{axis}1"):
                        if isinstance(item.get(key), int | float):
                            item[key] = domain[0] + item[key] * (domain[1] - domain[0])
                else:
                    item[f"{axis}ref"] = _remap_ref(ref, suffix)
            out.append(item)
    return _Panel(traces, layout, annotations, shapes)


def _title_text(source: dict) -> str:
    title = source["layout"].get("title")
    return title.get("text", "") if isinstance(title, dict) else ""


def _caption(view: str, title: str, surface_name: str, room: float, font: float) -> str:
    """A panel's caption: its view's title without the surface's name (the legend names it), or the view's
    short name where that does not fit in ``room`` pixels."""
    from figures.views import VIEWS

    prefix = f"{surface_name}: "
    if surface_name and title.startswith(prefix):
        title = title[len(prefix)].upper() + title[len(prefix) + 1 :]
    if not title or _text_width(f"(a) {title}", font) > room:
        title = VIEWS[view].name if view in VIEWS else title
    return title


# Plotly gives each entry of a horizontal legend its text plus 45 px whatever the font size (the symbol,
# ``itemwidth`` 30 px, with ``itemGap`` 5 px on each side, and 5 px before the next entry); legend text is
# mostly lower case, about 0.52 em a character.
LEGEND_ENTRY_PX, LEGEND_EM = 45.0, 0.52


def _legend_rows(labels: Sequence[str], width: float, font: float) -> int:
    """How many rows a horizontal legend of ``labels`` takes in ``width`` pixels."""
    rows, used = 1, 0.0
    for label in labels:
        entry = LEGEND_EM * font * len(re.sub(r"<[^>]+>", "", label)) + LEGEND_ENTRY_PX
        if used + entry > width and used > 0:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


MAX_LEGEND_ENTRIES = 24  # more runs than colours to tell apart: the legend would be bigger than the panels


def compose(
    figures_by_view: Mapping[str, go.Figure],
    cells_for: Any,
    width: float,
    style: Style,
    *,
    surface_name: str = "",
    title: str = "",
    height: float | None = None,
    colorbars: bool = True,
) -> go.Figure:
    """One figure of lettered panels, ``width`` pixels wide: ``cells_for(views, width, body_height, needs)``
    places them (pixels; ``body_height`` is None where the cells decide it; ``needs`` maps each view to its
    :class:`Needs`) and returns ``(cells, body_height)``. The legend of the contour panel (paths and
    special points) goes under all of them, once, titled with what the runs share; ``title`` above them.
    """
    views = list(figures_by_view)
    sources = {view: figure.to_plotly_json() for view, figure in figures_by_view.items()}
    legend_view = "contour" if "contour" in sources else views[-1]
    legend_labels = [
        str(t.get("name", ""))
        for t in sources[legend_view]["data"]
        if t.get("showlegend", True) is not False and t.get("name") not in ("pick", "surface")
    ]
    legend_shown = 0 < len(legend_labels) <= MAX_LEGEND_ENTRIES
    shared = sources[legend_view]["layout"].get("legend", {}).get("title", {}).get("text", "")
    legend_title = " · ".join(part for part in ("" if title else surface_name, shared) if part)
    title_height = 1.9 * style.caption if title else 0.0
    rows = _legend_rows(legend_labels, width - 0.6 * style.font, style.font) + (1 if legend_title else 0)
    legend_height = (rows * 1.75 * style.font + 0.6 * style.font) if legend_shown else 0.0
    needs = {view: _needs(sources[view], style, colorbars and view == "contour") for view in views}
    body = None if height is None else height - title_height - legend_height
    cells, body = cells_for(views, width, body, needs)
    height = title_height + body + legend_height
    cells = [cell._replace(top=cell.top + title_height) for cell in cells]

    def fx(px: float) -> float:
        return min(1.0, max(0.0, px / width))

    def fy(px: float) -> float:  # pixels down from the top to Plotly's paper y (up from the bottom)
        return min(1.0, max(0.0, 1 - px / height))

    data: list[dict] = []
    layout_parts: dict[str, Any] = {}
    annotations: list[dict] = []
    shapes: list[dict] = []
    for number, cell in enumerate(cells, start=1):
        source, need = sources[cell.view], needs[cell.view]
        left, right = cell.left + need.left, cell.left + cell.width - need.right
        top, bottom = cell.top + need.top, cell.top + cell.height - need.bottom
        x_domain, y_domain = (fx(left), fx(right)), (fy(bottom), fy(top))
        colorbar = None
        if colorbars and cell.view == "contour":
            colorbar = {
                "x": fx(right + 0.5 * style.font),
                "xanchor": "left",
                "xref": "paper",
                "y": (y_domain[0] + y_domain[1]) / 2,
                "yanchor": "middle",
                "yref": "paper",
                "len": y_domain[1] - y_domain[0],
                "lenmode": "fraction",
                "thickness": 0.7 * style.font,
                "nticks": 5,
                "tickfont": {"size": style.font},
                "title": {"side": "right", "font": {"size": style.font}},
            }
        legend = cell.view == legend_view
        panel = _place(source, number, x_domain, y_domain, style, colorbar, legend, right - left, bottom - top)
        data.extend(panel.traces)
        layout_parts.update(panel.layout)
        annotations.extend(panel.annotations)
        shapes.extend(panel.shapes)
        letter = LETTERS[number - 1]
        caption = _caption(cell.view, _title_text(source), surface_name, cell.width - style.font, style.caption)
        annotations.append(
            {
                "text": f"<b>({letter})</b> {caption}",
                "x": fx(cell.left + 0.2 * style.font),
                "y": fy(cell.top + 0.25 * style.caption),
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "font": {"size": style.caption},
                "name": f"panel ({letter})",
            }
        )
    layout = theme.layout(
        **layout_parts,
        font={**FONT, "size": style.font},
        width=round(width),
        height=round(height),
        margin={"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0, "autoexpand": False},
        showlegend=legend_shown,
        legend={
            "orientation": "h",
            "x": fx(0.3 * style.font),
            "xanchor": "left",
            "y": fy(height - legend_height + 0.3 * style.font),
            "yanchor": "top",
            "font": {"size": style.font},
            "title": {"text": legend_title, "side": "top", "font": {"size": style.font}},
            "tracegroupgap": 0,
        },
        title=(
            {
                "text": title,
                "x": fx(0.2 * style.font),
                "xanchor": "left",
                "y": fy(0.3 * style.caption),
                "yanchor": "top",
                "font": {"size": 1.15 * style.caption},
            }
            if title
            else None
        ),
        annotations=annotations,
        shapes=shapes,
        hoverlabel={"font": {"size": style.font}},
    )
    return go.Figure(data=data, layout=layout)


# --- the layouts -----------------------------------------------------------------------------------------


def _surface_name(scene: Scene) -> str:
    if getattr(scene, "task", None) is not None:
        from tasks.registry import TASKS

        task = TASKS.get(scene.task.id)
        return task.name if task is not None else scene.task.id
    surface = landscapes.SURFACES.get(scene.surface.id)
    return surface.name if surface is not None else scene.surface.id


def paper_figure(
    result: Result, grid: SurfaceGrid, log_z: bool, *, size: PrintSize | None = None, camera: Mapping | None = None
) -> go.Figure:
    """The survey's arrangement at a journal's column width (two columns, 175 mm, unless ``size`` says
    otherwise): (a) 3-D surface, (b) contour, (c) LR, (d) loss; text 7–9 pt as printed. A narrow figure
    (under 120 mm) leaves out the contour's colour bar: the 3-D panel's height axis reads the same colours."""
    size = size or PrintSize.of()
    return compose(
        view_figures(result, grid, log_z, camera),
        paper_cells,
        size.width_px,
        PRINT,
        surface_name=_surface_name(result.scene),
        colorbars=size.width_mm >= 120,
    )


def slide_figure(
    result: Result, grid: SurfaceGrid, log_z: bool, *, camera: Mapping | None = None, title: str | None = None
) -> go.Figure:
    """The survey's panels on a 16:9 slide (1920 × 1080 pixels): the 3-D surface large on the left, the
    contour, LR and loss on the right, text of 26–34 px (about 13–17 pt on a full-screen slide).
    ``title`` defaults to the preset's name (or the surface's)."""
    width, height = SLIDE_SIZE
    return compose(
        view_figures(result, grid, log_z, camera),
        slide_cells,
        width,
        SLIDE,
        surface_name=_surface_name(result.scene),
        title=scene_title(result.scene) if title is None else title,
        height=height,
    )


def print_figure(figure: go.Figure, size: PrintSize, height_ratio: float | None = None) -> go.Figure:
    """One figure at a printed width: the same figure, its text 7–9 pt and its lines thinner as printed.
    ``height_ratio`` (height / width) defaults to the figure's own shape at 1000 pixels wide."""
    source = figure.to_plotly_json()
    width = size.width_px
    ratio = height_ratio or (source["layout"].get("height") or 600) / (source["layout"].get("width") or 1000)
    height = round(width * ratio)
    factor = PRINT.font / FONT["size"]
    traces = [_scale_marks(_scale_fonts(t, factor, PRINT), PRINT.lines) for t in source["data"]]
    layout = {}
    for key, value in source["layout"].items():
        if key.startswith("scene") and isinstance(value, dict):
            layout[key] = _scene_text(_scale_fonts(value, factor, PRINT, gl=True), PRINT, min(width, height))
        elif key == "margin" and isinstance(value, dict):
            layout[key] = {k: v * factor if isinstance(v, int | float) else v for k, v in value.items()}
        else:
            layout[key] = _scale_fonts(value, factor, PRINT)
    layout["font"] = {**layout.get("font", {}), "size": PRINT.font}
    layout.update(width=width, height=height)
    return go.Figure(data=traces, layout=layout)


class Prepared(NamedTuple):
    """A figure ready to export, with what its file is called after and how large its PNG is."""

    figure: go.Figure
    what: str  # the view or layout, for the file's name: "3d", "paper", "slide"
    size: PrintSize | None  # its printed size, if it has one
    scale: float  # the PNG's pixels per layout pixel


def prepare(
    result: Result,
    grid: SurfaceGrid,
    log_z: bool,
    *,
    layout: str = "single",
    view: str = "3d",
    size: PrintSize | None = None,
    camera: Mapping | None = None,
    loss_x_axis: str = "steps",
    width: int = 1200,
    height: int = 800,
    scale: float = 1.0,
) -> Prepared:
    """The figure a command line or the page's export tab asks for.

    ``layout``: ``single`` draws ``view`` at ``width × height`` pixels, or at a printed ``size``;
    ``paper`` lays out the survey's panels at ``size`` (two columns by default); ``slide`` at 1920 × 1080
    pixels. ``scale`` is the PNG's pixel density where no print size sets it; ``loss_x_axis`` is what a single
    loss view counts (steps or gradient evaluations).
    """
    from figures.views import draw

    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout=}")
    if layout == "paper":
        size = size or PrintSize.of()
        return Prepared(paper_figure(result, grid, log_z, size=size, camera=camera), "paper", size, size.scale())
    if layout == "slide":
        return Prepared(slide_figure(result, grid, log_z, camera=camera), "slide", None, scale)
    figure = draw(view, result, grid, log_z, camera=camera, loss_x_axis=loss_x_axis)
    if size is not None:
        return Prepared(print_figure(figure, size), view, size, size.scale())
    figure = go.Figure(data=figure.data, layout={**figure.layout.to_plotly_json(), "width": width, "height": height})
    return Prepared(figure, view, None, scale)


def describe(scene: Scene, prepared: Prepared, file: str, camera: Mapping | None = None) -> Any:
    """What the exported file says about itself (:class:`figures.export.About`): the scene, a title, and the
    command that makes the same file again."""
    from figures.export import About

    name = scene_name(scene)
    source = f"--scene {file}" if name.startswith("custom-") else f"--preset {name}"
    layout = "single" if prepared.what not in ("paper", "slide") else prepared.what
    parts = ["python cli.py render", source, f"--layout {layout}"]
    if layout == "single":
        parts.append(f"--view {prepared.what}")
    if prepared.size is not None:
        parts.append(f"--width-mm {prepared.size.width_mm:g} --dpi {prepared.size.dpi}")
    if camera:
        parts.append(f"--camera '{json.dumps(dict(camera), separators=(',', ':'))}'")
    parts.append(f"-o {file}")
    title = f"{scene_title(scene)} ({name}, {prepared.what})"
    return About(scene=scene.to_json(), title=title, command=" ".join(parts))
