"""The registry of surfaces: ``SURFACES[id]`` is a :class:`~landscapes.base.Surface`.

Special points without a closed form were found once, while writing this file, by Newton's method on the
gradient in float64 (jax.hessian, steps capped at 0.5) started from a 40×40 to 80×80 grid over the window; the
converged points (|∇f| < 1e-12) were deduplicated and classified by the signs of the Hessian's eigenvalues,
and the lowest minimum was compared with the minimum over a 2001×2001 grid of the window. The digits below
are those results, accurate to about 1e-13; tests/test_landscapes.py checks that the gradient vanishes there
and that the Hessian has the stated signs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

import jax

from common.params import FloatParam, FormulaParam, ParamError, validate_params
from landscapes import functions
from landscapes.base import Points, Surface, default_params

_SQRT3 = math.sqrt(3.0)


def _rosenbrock_points(params: Mapping[str, Any]) -> Points:
    a = float(params["a"])
    return Points(((a, a * a),), 0.0, (), (), (a, a * a))


def _rastrigin_points(params: Mapping[str, Any]) -> Points:
    # The four nearest local minima sit at (±r, 0), (0, ±r), where r solves r + πA·sin(2πr) = 0 near 1
    # (r = 0.99496 for A = 10); none exist when A is so small that the bumps do not make a dip there.
    amplitude = float(params["amplitude"])
    r, found = 1.0, False
    for _ in range(50):
        slope = 1.0 + 2 * math.pi**2 * amplitude * math.cos(2 * math.pi * r)  # f''/2
        if slope <= 0.0:
            break  # not inside a dip: no local minimum near 1
        r -= (r + math.pi * amplitude * math.sin(2 * math.pi * r)) / slope  # f'/2 over f''/2
        if not 0.5 < r < 1.5:
            break
        found = abs(r + math.pi * amplitude * math.sin(2 * math.pi * r)) < 1e-12
        if found:
            break
    is_minimum = found and 1.0 + 2 * math.pi**2 * amplitude * math.cos(2 * math.pi * r) > 0
    local = ((r, 0.0), (-r, 0.0), (0.0, r), (0.0, -r)) if is_minimum else ()
    return Points(((0.0, 0.0),), 0.0, local, (), (0.0, 0.0))


SURFACES: dict[str, Surface] = {
    # ------------------------------------------------------------------------------------------------------
    # The paper's surfaces (Liu & Zhang 2023, Section 4.1), with the reference pipeline's windows and starts
    # ------------------------------------------------------------------------------------------------------
    "rosenbrock": Surface(
        id="rosenbrock",
        name="Rosenbrock",
        params={
            "a": FloatParam(1.0, -2.0, 2.0, help="the minimum sits at (a, a²)", symbol="a"),
            "b": FloatParam(100.0, 1.0, 1000.0, log=True, help="steepness of the canyon walls", symbol="b"),
        },
        latex=r"(a - x)^2 + b\,(y - x^2)^2",
        reference=(
            "Liu & Zhang 2023, Fig. 5; H. H. Rosenbrock, An automatic method for finding the greatest or least "
            "value of a function, The Computer Journal 3(3), 1960"
        ),
        description="A narrow curved canyon: finding it is easy, following its flat floor to (a, a²) is slow.",
        fn=functions.rosenbrock,
        window=((-2.0, 2.0), (-1.0, 3.0)),
        starts=((-2.0, 2.5),),
        minimizers=((1.0, 1.0),),
        min_value=0.0,
        target=(1.0, 1.0),
        log_z=True,
        figure="Fig. 5",
        points=_rosenbrock_points,
    ),
    "peaks_ref": Surface(
        id="peaks_ref",
        name="Peaks (the paper's variant)",
        params={},
        latex=(
            r"\begin{gathered}"
            r"(0.6 - x)^2 e^{-x^2 - (y+1)^2} \\"
            r"- 2\left(\frac{x}{2.5} - \left(\frac{x}{2}\right)^3 - y^5\right)e^{-x^2 - y^2} \\"
            r"- \frac{1}{3} e^{-(x+1)^2 - y^2}"
            r"\end{gathered}"
        ),
        reference=(
            "Liu & Zhang 2023, Fig. 6 (the reference pipeline's variant of MATLAB's peaks; "
            "The MathWorks, peaks function)"
        ),
        description=(
            "Two local minima and a deeper global one: whether momentum carries a path over the ridge "
            "depends on the start and the schedule."
        ),
        fn=functions.peaks_ref,
        window=((-2.0, 2.0), (-3.0, 3.0)),
        starts=((0.57, 0.8), (0.4, 1.0), (-0.4, 0.4), (0.57, 0.0)),
        # Computed (see the module docstring); the reference's "known minimum" (0.2, -1.62) is 0.028 off in y.
        minimizers=((0.19996774156831573, -1.5924155863889708),),
        min_value=-1.4683907565726448,
        local_minimizers=((0.566037368194762, 0.0009483492990791264), (-1.6292724485509427, 0.3715595764759944)),
        saddles=(
            (0.5639986012821309, -0.4607160283894962),
            (-0.49578170237626656, 0.4916924561631),
            (1.9376060717460812, 0.5771270454319017),
        ),
        target=(0.2, -1.62),
        figure="Fig. 6",
    ),
    "peaks": Surface(
        id="peaks",
        name="Peaks (MATLAB)",
        params={},
        latex=(
            r"\begin{gathered}"
            r"3(1 - x)^2 e^{-x^2 - (y+1)^2} \\"
            r"- 10\left(\frac{x}{5} - x^3 - y^5\right) e^{-x^2 - y^2} \\"
            r"- \frac{1}{3} e^{-(x+1)^2 - y^2}"
            r"\end{gathered}"
        ),
        reference="The MathWorks, MATLAB peaks function (translated and scaled Gaussians)",
        description="Three peaks and three pits of different depths: a path ends in whichever pit it falls into.",
        fn=functions.peaks,
        window=((-3.0, 3.0), (-3.0, 3.0)),
        starts=((0.57, 0.8), (-2.0, 1.5)),
        # Computed (see the module docstring).
        minimizers=((0.22827892055636914, -1.6255349574999964),),
        min_value=-6.5511333328358345,
        local_minimizers=((-1.3473962443682108, 0.20451886609700518), (0.2964455538468321, 0.32019624766683435)),
        saddles=(
            (0.4163233216785081, -0.3941450984024246),
            (-0.2659375568372457, 0.4667399937262694),
            (1.0982728343350927, 0.8544609795247524),
        ),
    ),
    "saddle": Surface(
        id="saddle",
        name="Saddle x² − y²",
        params={},
        latex=r"x^2 - y^2",
        reference=(
            "Liu & Zhang 2023, Fig. 3; Dauphin et al., Identifying and attacking the saddle point problem in "
            "high-dimensional non-convex optimization, NeurIPS 2014"
        ),
        description=(
            "A saddle at the origin, unbounded below along y: a path started exactly on y = 0 has no y-gradient "
            "and can only slide into the saddle."
        ),
        fn=functions.saddle,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((-4.0, 0.0), (-3.0, 0.0)),  # the reference's start, then the paper text's
        minimizers=(),
        min_value=None,
        saddles=((0.0, 0.0),),
        target=(0.0, 4.0),  # not a minimum: the reference measures progress to this downhill point
        figure="Fig. 3",
    ),
    "saddle2": Surface(
        id="saddle2",
        name="Saddle x³ − 3x − 2y²",
        params={},
        latex=r"x^3 - 3x - 2y^2",
        reference="Liu & Zhang 2023, Fig. 3",
        description=(
            "A saddle at (1, 0) and a local maximum at (−1, 0); no minimum (unbounded below), so "
            "escaping means sliding off along ±y."
        ),
        fn=functions.saddle2,
        window=((-2.0, 2.0), (-1.0, 1.0)),
        starts=((2.0, 0.1), (2.0, 0.0)),  # the reference's start, then the paper text's
        minimizers=(),
        min_value=None,
        saddles=((1.0, 0.0),),  # ∇f = (3x² − 3, −4y); the other critical point, (−1, 0), is a local maximum
        target=(1.0, -1.0),  # not a critical point (∇f = (0, 4) there): the reference's downhill point
        figure="Fig. 3",
    ),
    "cross_sectional": Surface(
        id="cross_sectional",
        name="Cliffs (one sigmoid neuron)",
        params={},
        latex=r"\sum_{i=1}^{6} \tfrac{1}{2}\left(\sigma(w_i x + y) - b_i\right)^2",
        reference=(
            "Liu & Zhang 2023, Fig. 7 (the reference pipeline's cross_sectional); w = (3.5, 0.35, 3.2, −2, 1.5, "
            "−0.5), b = (0.5, 0.5, 0.5, 0.5, 0.1, 0.3)"
        ),
        description=(
            "The loss of one sigmoid neuron (x its weight, y its bias): wide plateaus where it saturates, "
            "cliffs between them, and one narrow minimum."
        ),
        fn=functions.cross_sectional,
        window=((-7.0, 7.0), (-7.0, 7.0)),
        starts=((-6.0, 4.0),),
        # Computed (see the module docstring); the reference rounds it to (0.02, -0.43).
        minimizers=((0.020340633923752318, -0.4262668065180133),),
        min_value=0.06974393370518013,
        target=(0.02, -0.43),
        figure="Fig. 7",
        bias_coords=(False, True),
    ),
    "sigmoid": Surface(
        id="sigmoid",
        name="2-D sigmoid",
        params={},
        latex=r"\frac{1}{1 + e^{-x}}",
        reference="Liu & Zhang 2023, Fig. 7 (the logistic function, constant in y)",
        description=(
            "A plateau on both sides of one slope; no minimizer: 0 is only approached as x → −∞, so "
            "progress is measured to (−9, 0)."
        ),
        fn=functions.sigmoid,
        window=((-21.0, 21.0), (-4.0, 4.0)),
        starts=((6.5, 0.0),),
        minimizers=(),
        min_value=0.0,  # the infimum, not attained
        target=(-9.0, 0.0),
        figure="Fig. 7",
    ),
    # ------------------------------------------------------------------------------------------------------
    # The reference pipeline's other surfaces
    # ------------------------------------------------------------------------------------------------------
    "rastrigin": Surface(
        id="rastrigin",
        name="Rastrigin",
        params={"amplitude": FloatParam(10.0, 0.0, 20.0, help="height of the ripples", symbol="A")},
        latex=r"2A + x^2 - A\cos(2\pi x) + y^2 - A\cos(2\pi y)",
        reference="L. A. Rastrigin, Systems of Extremal Control, 1974 (the 2-D form, A = 10)",
        description="A bowl covered in regular ripples: a local minimum near every integer point.",
        fn=functions.rastrigin,
        window=((-5.12, 5.12), (-5.12, 5.12)),
        starts=((-4.5, 4.0),),
        minimizers=((0.0, 0.0),),
        min_value=0.0,
        local_minimizers=(
            (0.9949586376523348, 0.0),
            (-0.9949586376523348, 0.0),
            (0.0, 0.9949586376523348),
            (0.0, -0.9949586376523348),
        ),
        points=_rastrigin_points,
    ),
    "beale": Surface(
        id="beale",
        name="Beale",
        params={},
        latex=(
            r"\begin{gathered}"
            r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 \\"
            r"+ (2.625 - x + xy^3)^2"
            r"\end{gathered}"
        ),
        reference=(
            "E. M. L. Beale, On an iterative method for finding a local minimum of a function of more than one "
            "variable, Tech. Rep. 25, Statistical Techniques Research Group, Princeton University, 1958"
        ),
        description="Flat valleys that fan out from the minimum at (3, 0.5) between very steep corners.",
        fn=functions.beale,
        window=((-4.5, 4.5), (-4.5, 4.5)),
        starts=((1.0, 2.5),),
        minimizers=((3.0, 0.5),),
        min_value=0.0,
        saddles=((0.0, 1.0), (0.10053793732415833, -2.6445135850231254)),  # (0, 1) exactly; the other computed
        log_z=True,
    ),
    "mishra_bird": Surface(
        id="mishra_bird",
        name="Mishra's bird",
        params={},
        latex=(
            r"\begin{gathered}"
            r"\sin(y)\, e^{(1 - \cos x)^2} + \cos(x)\, e^{(1 - \sin y)^2} \\"
            r"+ (x - y)^2"
            r"\end{gathered}"
        ),
        reference=(
            "S. K. Mishra, Some new test functions for global optimization and performance of repulsive particle "
            "swarm method, MPRA Paper 2718, 2006"
        ),
        description=(
            "Deep, steep pits between high ridges; used here without the literature's disc constraint "
            "(its optimum (−3.1302, −1.5821) is also the lowest point of this window)."
        ),
        fn=functions.mishra_bird,
        window=((-10.0, 0.0), (-6.5, 0.0)),
        starts=((-7.5, -4.0),),
        # Computed (see the module docstring); literature: f(-3.1302468, -1.5821422) = -106.7645367.
        minimizers=((-3.1302468034546562, -1.5821421769300335),),
        min_value=-106.7645367492647,
        local_minimizers=((-9.367560379811968, -1.6280139077523077), (-5.37766660833261, -5.617907679231666)),
        saddles=(
            (-4.660474561402388, -6.3350997261618875),
            (-4.764321307934983, -3.8386409508047605),
            (-7.156933336759516, -6.231252979629293),
            (-2.0194268112343, -5.829037547196333),
            (-8.200546874792611, -2.7950274127716654),
            (-7.425292677548519, -0.669825983322531),
        ),
    ),
    "townsend": Surface(
        id="townsend",
        name="Townsend (unconstrained)",
        params={},
        latex=r"-\cos^2\!\big((x - 0.1)\,y\big) - x \sin(3x + y)",
        reference=(
            "A. Townsend, Constrained optimization in Chebfun, chebfun.org, 2014 (the modified Townsend function); "
            "used without its constraint, as in the reference pipeline"
        ),
        description=(
            "Wavy and unbounded below as |x| grows; without the literature's heart-shaped constraint its optimum "
            "(2.0053, 1.1945) is not a critical point, so progress is measured to the lowest pit of the window."
        ),
        fn=functions.townsend,
        window=((-2.25, 2.25), (-2.5, 1.75)),
        starts=((0.5, 1.5),),
        minimizers=(),  # −x·sin(3x + y) is unbounded below, so there is no global minimizer
        min_value=None,
        # Computed (see the module docstring): every local minimum of the window, lowest first.
        local_minimizers=(
            (-2.2435689553473765, -1.3036851716944824),
            (2.200280200474242, 1.4473350704311339),
            (1.3983669401943561, -2.4796711353432572),
            (0.7525257715879755, -0.32352015471923096),
            (-0.7271882021125594, 0.21105332973585775),
        ),
        saddles=(
            (0.0, 0.0),
            (-1.9079041213310057, -2.4139528283585188),
            (1.084850526815393, -1.481914497435421),
            (-1.0319441854911184, 1.2953398711794268),
            (0.03195872531070788, -2.429867134132011),
            (1.615440362019834, 0.07277146156499731),
            (-1.6204498120168223, -0.05608078149584457),
            (-2.0843092757029877, 1.4096785942030712),
            (2.120040646552391, -1.5227321112915482),
        ),
        target=(-2.2435689553473765, -1.3036851716944824),  # the lowest point of the window, f = −3.19972
    ),
    "goldstein_price": Surface(
        id="goldstein_price",
        name="Goldstein–Price",
        params={},
        latex=(
            r"\small\begin{gathered}"
            r"\big[1 + (x + y + 1)^2 \\"
            r"\cdot (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\big] \\"
            r"\times \big[30 + (2x - 3y)^2 \\"
            r"\cdot (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\big]"
            r"\end{gathered}"
        ),
        reference=(
            "A. A. Goldstein & J. F. Price, On descent from local minima, Mathematics of Computation 25(115), 1971"
        ),
        description="Values from 3 to a million: a flat central basin with three shallower pits beside the global one.",
        fn=functions.goldstein_price,
        window=((-2.5, 2.0), (-2.0, 2.0)),
        starts=((-2.35, 1.6),),
        minimizers=((0.0, -1.0),),
        min_value=3.0,
        # Found numerically (see the module docstring), then recognised as exact: f = 30, 84, 840 there.
        local_minimizers=((-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)),
        saddles=((-0.4, -0.6), (1.2, -0.2), (1.4, 0.6), (0.6, 0.4)),
        log_z=True,
    ),
    "mccormick": Surface(
        id="mccormick",
        name="McCormick",
        params={},
        latex=r"\sin(x + y) + (x - y)^2 - 1.5x + 2.5y + 1",
        reference=(
            "G. P. McCormick, Computability of global solutions to factorable nonconvex programs, Mathematical "
            "Programming 10, 1976; test-function form as in Jamil & Yang 2013"
        ),
        description="A tilted trough with a gentle wave along it: a global and a local minimum on the trough floor.",
        fn=functions.mccormick,
        window=((-1.5, 4.0), (-3.0, 4.0)),
        starts=((3.5, 3.5), (-1.0, 3.0)),
        # ∇f = 0 ⇔ x − y = 1 and cos(x + y) = −½; with s = x + y: minima at s = −2π/3 + 2πk, saddles at s = 2π/3
        # + 2πk, and f = sin s + s/2. Literature: f(−0.54719, −1.54719) = −1.9133.
        minimizers=((0.5 - math.pi / 3, -0.5 - math.pi / 3),),
        min_value=-_SQRT3 / 2 - math.pi / 3,
        local_minimizers=((0.5 + 2 * math.pi / 3, -0.5 + 2 * math.pi / 3),),
        saddles=((0.5 + math.pi / 3, -0.5 + math.pi / 3),),
    ),
    "three_hump_camel": Surface(
        id="three_hump_camel",
        name="Three-hump camel",
        params={},
        latex=r"2x^2 - 1.05x^4 + \frac{x^6}{6} + xy + y^2",
        reference=(
            "L. C. W. Dixon & G. P. Szegő (eds.), Towards Global Optimisation 2, North-Holland, 1978; Jamil & Yang 2013"
        ),
        description="A global minimum at the origin flanked by two shallow local minima on a tilted ridge.",
        fn=functions.three_hump_camel,
        window=((-3.0, 3.0), (-4.0, 4.0)),
        starts=((0.0, 3.8),),
        minimizers=((0.0, 0.0),),
        min_value=0.0,
        # ∇f = 0 ⇔ y = −x/2 and x⁴ − 4.2x² + 3.5 = 0, i.e. x² = 2.1 ± √0.91 (+: minima, −: saddles).
        local_minimizers=(
            (math.sqrt(2.1 + math.sqrt(0.91)), -math.sqrt(2.1 + math.sqrt(0.91)) / 2),
            (-math.sqrt(2.1 + math.sqrt(0.91)), math.sqrt(2.1 + math.sqrt(0.91)) / 2),
        ),
        saddles=(
            (math.sqrt(2.1 - math.sqrt(0.91)), -math.sqrt(2.1 - math.sqrt(0.91)) / 2),
            (-math.sqrt(2.1 - math.sqrt(0.91)), math.sqrt(2.1 - math.sqrt(0.91)) / 2),
        ),
    ),
    "noisy_hill_a": Surface(
        id="noisy_hill_a",
        name="Gaussian trenches",
        params={},
        latex=(
            r"\small\begin{gathered}"
            r"-\sum_{i=1}^{4} \frac{1}{2\pi\sigma_i^2} e^{-\frac{(x - \mu_i)^2 + (y - \nu_i)^2}{2\sigma_i^2}} \\"
            r"(\mu, \nu, \sigma)_i \in \{(-0.5, -0.8, 0.35), \\"
            r"(1, -0.5, 0.2), (-1, 0.5, 0.2), \\"
            r"(-0.5, -0.8, 0.2)\}"
            r"\end{gathered}"
        ),
        reference=(
            "The reference pipeline's first noisy_hill (Vis-FuncNet, utils/functions.py), as its comments describe "
            "it: its code redefines the name and its density ignores its arguments"
        ),
        description="Three steep round pits in a plane that is flat to 1e-10 elsewhere: gradients vanish far away.",
        fn=functions.noisy_hill_a,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        starts=((0.2, -0.3),),
        # Computed (see the module docstring): the far pits pull each minimum ~1e-5 off its centre.
        minimizers=((-0.5000000000130155, -0.7999999999654079),),
        min_value=-5.278097602655116,
        local_minimizers=((-0.9999805837604074, 0.49994951777705926), (0.9999886225942584, -0.5000022754811483)),
        saddles=((-0.785000266811825, -0.05899930628925495), (0.3720473509007996, -0.625590529819839)),
    ),
    "noisy_hill_b": Surface(
        id="noisy_hill_b",
        name="Wavy hill",
        params={},
        latex=r"-\sin(x^2)\cos(3y^2)\, e^{-(xy)^2} - e^{-(x+y)^2}",
        reference="The reference pipeline's second noisy_hill (Vis-FuncNet, utils/functions.py)",
        description="Ripples along the axes and a trough along y = −x: many local minima, two global ones.",
        fn=functions.noisy_hill_b,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        starts=((1.5, 1.0),),
        # Computed (see the module docstring); f(x, y) = f(−x, −y), so every point comes with its mirror image.
        # The global minima are also the lowest points of [−8, 8]² (4001² grid).
        minimizers=((0.9679635565762498, -0.3217492155446388), (-0.9679635565762498, 0.3217492155446388)),
        min_value=-1.35491947234735,
        local_minimizers=(
            (1.2603925674261947, -1.347788941176847),
            (-1.2603925674261947, 1.347788941176847),
            (1.8082742198332478, -1.8082523649105215),
            (-1.8082742198332478, 1.8082523649105215),
            (0.6403904253223995, 1.4269777749229953),
            (-0.6403904253223995, -1.4269777749229953),
            (1.8480639390490559, 1.6804030627760551),
            (-1.8480639390490559, -1.6804030627760551),
        ),
        saddles=(  # the main ones; the window holds more
            (0.0, 0.0),
            (1.0781203346949466, -0.9367640476962715),
            (-1.0781203346949466, 0.9367640476962715),
            (0.22498512231193105, 1.353160356732515),
            (-0.22498512231193105, -1.353160356732515),
            (1.7757645174086911, 0.7268868265287591),
            (-1.7757645174086911, -0.7268868265287591),
        ),
    ),
    "saddle_sigmoid": Surface(
        id="saddle_sigmoid",
        name="Saddle sigmoid",
        params={},
        latex=r"\sigma\!\left(xy + (10^{-4}x)^2 + (10^{-4}y)^2\right)",
        reference="The reference pipeline's sigmoid1 (Vis-FuncNet, utils/functions.py)",
        description=(
            "The saddle xy squashed by a sigmoid: flat plateaus at 0 and 1 and a saddle at the origin; "
            "0 is only approached (no minimizer)."
        ),
        fn=functions.saddle_sigmoid,
        window=((-4.0, 4.0), (-4.0, 4.0)),
        starts=((2.0, 1.5), (-3.0, 0.0)),
        minimizers=(),
        min_value=0.0,  # the infimum, approached as xy → −∞
        saddles=((0.0, 0.0),),
    ),
    "quartic_bowl": Surface(
        id="quartic_bowl",
        name="Quartic bowl",
        params={},
        latex=r"(0.1x)^4 + (0.1y)^4",
        reference="The reference pipeline's squre (Vis-FuncNet, utils/functions.py)",
        description="A bowl with an extremely flat bottom: the gradient shrinks like the distance cubed.",
        fn=functions.quartic_bowl,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((4.5, -4.5),),
        minimizers=((0.0, 0.0),),
        min_value=0.0,
    ),
    # ------------------------------------------------------------------------------------------------------
    # Classics
    # ------------------------------------------------------------------------------------------------------
    "himmelblau": Surface(
        id="himmelblau",
        name="Himmelblau",
        params={},
        latex=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        reference="D. M. Himmelblau, Applied Nonlinear Programming, McGraw-Hill, 1972",
        description="Four equally deep minima: which one a path reaches depends only on where it starts.",
        fn=functions.himmelblau,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((0.0, 0.0),),
        # (3, 2) exactly; the others computed (see the module docstring). The local maximum is
        # (−0.2708445906673476, −0.9230385564799813).
        minimizers=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036),
        ),
        min_value=0.0,
        saddles=(
            (3.3851541836070207, 0.0738518798377493),
            (0.08667750455539634, 2.8842547011747763),
            (-3.0730257507643897, -0.08135304428796751),
            (-0.12796134673068005, -1.9537149802445766),
        ),
        log_z=True,
    ),
    "ackley": Surface(
        id="ackley",
        name="Ackley",
        params={},
        latex=(
            r"\begin{gathered}"
            r"-20\exp\left(-0.2\sqrt{\tfrac{1}{2}(x^2 + y^2)}\right) \\"
            r"- \exp\left(\tfrac{1}{2}(\cos 2\pi x + \cos 2\pi y)\right) + e + 20"
            r"\end{gathered}"
        ),
        reference="D. H. Ackley, A Connectionist Machine for Genetic Hillclimbing, Kluwer, 1987",
        description="An egg-crate of local minima on a funnel whose tip at the origin is a kink, not a smooth pit.",
        fn=functions.ackley,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((3.5, -4.0),),
        minimizers=((0.0, 0.0),),
        min_value=0.0,
    ),
    "booth": Surface(
        id="booth",
        name="Booth",
        params={},
        latex=r"(x + 2y - 7)^2 + (2x + y - 5)^2",
        reference="Jamil & Yang, A literature survey of benchmark functions for global optimization problems, 2013",
        description="A plain quadratic bowl, moderately elongated (condition number 9): the easy baseline.",
        fn=functions.booth,
        window=((-10.0, 10.0), (-10.0, 10.0)),
        starts=((-8.0, 8.0),),
        minimizers=((1.0, 3.0),),
        min_value=0.0,
        log_z=True,
    ),
    "six_hump_camel": Surface(
        id="six_hump_camel",
        name="Six-hump camel",
        params={},
        latex=(
            r"\begin{gathered}"
            r"\left(4 - 2.1x^2 + \frac{x^4}{3}\right)x^2 \\"
            r"+ xy + (-4 + 4y^2)y^2"
            r"\end{gathered}"
        ),
        reference=(
            "L. C. W. Dixon & G. P. Szegő, The global optimization problem: an introduction, in Towards Global "
            "Optimisation 2, North-Holland, 1978"
        ),
        description="Six minima, two of them global and mirror images; a saddle between them at the origin.",
        fn=functions.six_hump_camel,
        window=((-2.0, 2.0), (-1.0, 1.0)),
        starts=((-1.9, 0.9),),
        # Computed (see the module docstring); literature: f(±0.0898, ∓0.7126) = −1.0316.
        minimizers=((0.08984201310031806, -0.7126564030207396), (-0.08984201310031806, 0.7126564030207396)),
        min_value=-1.0316284534898774,
        local_minimizers=(
            (1.7036067149699807, -0.7960835686726251),
            (-1.7036067149699807, 0.7960835686726251),
            (1.6071047529201974, 0.5686514548841314),
            (-1.6071047529201974, -0.5686514548841314),
        ),
        saddles=(
            (0.0, 0.0),
            (1.1092053368047865, -0.7682680925095399),
            (-1.1092053368047865, 0.7682680925095399),
            (1.638067984189779, 0.22867406904439413),
            (-1.638067984189779, -0.22867406904439413),
            (1.296070267167109, 0.6050843880386585),
            (-1.296070267167109, -0.6050843880386585),
        ),
    ),
    "monkey_saddle": Surface(
        id="monkey_saddle",
        name="Monkey saddle",
        params={},
        latex=r"x^3 - 3xy^2",
        reference="The monkey saddle; D. Hilbert & S. Cohn-Vossen, Geometry and the Imagination, 1932",
        description=(
            "Three valleys meet at a degenerate saddle (zero gradient and zero Hessian): near it every "
            "gradient method crawls."
        ),
        fn=functions.monkey_saddle,
        window=((-2.0, 2.0), (-2.0, 2.0)),
        starts=((1.5, 0.0), (1.5, 0.1)),
        minimizers=(),
        min_value=None,
        saddles=((0.0, 0.0),),
    ),
    "quadratic": Surface(
        id="quadratic",
        name="Ill-conditioned quadratic",
        params={
            "condition": FloatParam(
                10.0, 1.0, 1000.0, log=True, help="ratio of the largest to the smallest curvature", symbol=r"\kappa"
            ),
            "angle": FloatParam(
                30.0, -90.0, 90.0, help="direction of the steep axis, in degrees from the x axis", symbol=r"\theta"
            ),
        },
        latex=(
            r"\begin{gathered}"
            r"\tfrac{1}{2}\left(u^2 + \frac{v^2}{\kappa}\right) \\"
            r"u = x\cos\theta + y\sin\theta \\"
            r"v = -x\sin\theta + y\cos\theta"
            r"\end{gathered}"
        ),
        reference="J. Nocedal & S. J. Wright, Numerical Optimization, 2nd ed., Springer, 2006, §3.3",
        description=(
            "An elongated bowl: the larger κ, the more gradient descent zig-zags; rotating it defeats "
            "per-coordinate step sizes."
        ),
        fn=functions.quadratic,
        window=((-5.0, 5.0), (-5.0, 5.0)),
        starts=((-4.5, 2.0),),
        minimizers=((0.0, 0.0),),
        min_value=0.0,
    ),
    "custom": Surface(
        id="custom",
        name="Your formula",
        params={
            "formula": FormulaParam(
                functions.CUSTOM_DEFAULT,
                variables=functions.CUSTOM_VARIABLES,
                help="f(x, y) with + - * / ** (or ^), pi, e, sin, exp, log, sqrt, where(cond, a, b), ...",
                symbol="f",
            )
        },
        latex=r"f(x, y)",
        reference="User-defined, in the safe formula language of common.formula",
        description="Type any f(x, y); its minima are not known in advance.",
        fn=functions.custom,
        window=((-3.0, 3.0), (-3.0, 3.0)),
        starts=((2.5, 2.0),),
        minimizers=(),
        min_value=None,
    ),
}


def get_surface(surface_id: str) -> Surface:
    """The surface registered as ``surface_id``; an unknown id raises ``ParamError`` listing the known ones."""
    try:
        return SURFACES[surface_id]
    except KeyError:
        raise ParamError(f"unknown surface {surface_id!r}; known: {', '.join(SURFACES)}") from None


def make_fn(surface_id: str, params: Mapping[str, Any] | None = None) -> Callable[[jax.Array], jax.Array]:
    """``f(xy)`` for the surface ``surface_id`` with ``params`` validated and the others at their defaults."""
    surface = get_surface(surface_id)
    checked = validate_params(surface.params, dict(params or {}), where=f"surface {surface_id}")
    return functools.partial(surface.fn, **(default_params(surface) | checked))
