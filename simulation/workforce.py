"""The workforce: staff in post by role, and how vacancies, recruitment and leavers cap capacity.

Every community, social-care and primary-care capacity in the model is delivered by staff. A
service names the role(s) that staff it (``Service(..., staff=("community_nurse",))``,
:mod:`simulation.services`), and its capacity is then the whole-time equivalents (WTE) of that role
in post times the role's productivity per WTE:

    capacity = WTE in post x (service capacity per 100,000 / role WTE per 100,000)

so with today's staff in post (the default) every capacity is exactly today's. The role's staff per
100,000 registered patients, vacancy rate and leaver rate are published figures
(:class:`RoleParams`); the productivity per WTE follows from them and the service's own published
capacity (:func:`productivity`).

**Stock and flows** (one role in one neighbourhood, each month; a deterministic stock-flow model,
since staff numbers are large and smooth next to the patient events). Staff in post leave at the
leaver rate; funded posts not filled are vacancies; a share of the open vacancies is recruited each
month and the recruits start ``hire_lag_months`` later; at most ``supply_ratio`` times today's
monthly recruits can be found (the labour market). The share recruited is set so that today's
vacancy rate is a steady state: with no shortage and no extra posts, staff in post stay exactly
today's, month after month. Funded posts are today's establishment (staff in post / (1 - vacancy
rate)) raised by the LCO's community investment (``integration.community_uplift``) for the roles
of services it raises, so a lever that buys capacity must recruit it: capacity follows staff in
post, not posts funded.

**Shortage**: ``shortage`` is a share of funded posts vacant beyond today's rate from day 0 (and
the recruitment rate that keeps that rate steady), so every service the role staffs loses that
share of its capacity.

Example:
    >>> wp = WorkforceParams()
    >>> rp = wp.community_nurse
    >>> flows = RoleFlows(rp, n=1)
    >>> flows.ratio().tolist()  # staff in post as a share of today's
    [1.0]
    >>> for month in range(12):  # the LCO funds 20% more posts from month 0
    ...     flows.step(establishment=np.array([1.2]))
    >>> 1.0 < float(flows.ratio()[0]) < 1.2  # recruitment has not caught up after a year
    True
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import model_validator

from simulation.finance_parameters import UnitCost
from simulation.metrics import Metric
from simulation.parameters import Section, param
from simulation.parts import Part

MONTHS_PER_YEAR = 12


class RoleParams(Section):
    """One staff role: staff in post today, vacancies, leavers, recruitment and pay.

    Subclasses set each default with its source; a new role is a subclass and a field of
    :class:`WorkforceParams`.
    """

    label: ClassVar[str] = "staff"
    sector: ClassVar[str] = "community"

    staff_per_100k: float = param(
        50.0, "WTE per 100,000 registered", "-", "Staff in post today.", ge=0.0, le=10000.0)
    vacancy_rate: float = param(
        0.1, "share of funded posts", "-", "Funded posts vacant today.", ge=0.0, lt=0.9)
    leaver_rate_per_year: float = param(
        0.1, "share of staff a year", "-", "Staff leaving their posts each year.",
        ge=0.0, le=1.0)
    hire_lag_months: int = param(
        3, "months", "ASSUMPTION: from the decision to recruit to the recruit's first day "
        "(advert, interview, checks and notice)", "Months before a recruit starts.",
        ge=0, le=24)
    supply_ratio: float = param(
        1.5, "x today's recruits a month", "ASSUMPTION: the local labour market can supply at "
        "most half as many recruits again as it does today", "Ceiling on recruits a month, as a "
        "multiple of today's (steady-state) recruits.", ge=1.0, le=100.0)
    shortage: float = param(
        0.0, "share of funded posts", "ASSUMPTION: none (today's vacancy rate); a staff-shortage "
        "scenario raises it", "Funded posts vacant beyond today's rate, from day 0.",
        ge=0.0, le=0.8)
    cost_per_wte: UnitCost = param(
        UnitCost(value=40000.0, cost_year="2023/24"), "£ per WTE a year (with on-costs)", "-",
        "Employer's cost of one WTE in post for a year: pay and on-costs.")

    @model_validator(mode="after")
    def _pipeline_fits(self) -> RoleParams:
        longest = max_hire_lag(self)
        if self.hire_lag_months >= longest:
            raise ValueError(f"hire_lag_months {self.hire_lag_months} is too long for vacancy rate "
                             f"{self.vacancy_rate + self.shortage:g} and leaver rate "
                             f"{self.leaver_rate_per_year:g}: the steady state would need more "
                             f"recruits in the pipeline than there are vacancies; allowed: fewer "
                             f"than {longest:.1f} months")
        return self


def max_hire_lag(role: RoleParams) -> float:
    """The hire lag (months) at which every vacancy of the steady state is already in the pipeline.

    Example:
        >>> round(max_hire_lag(WorkforceParams().community_nurse), 1)
        11.0
    """
    v_ref = role.vacancy_rate
    v = min(v_ref + role.shortage, 0.9)
    hires = role.leaver_rate_per_year / MONTHS_PER_YEAR * (1.0 - v) / (1.0 - v_ref)
    return float("inf") if hires <= 0 else v / (1.0 - v_ref) / hires


class CommunityNurses(RoleParams):
    """Community and district nurses (NHS community health services)."""

    label: ClassVar[str] = "community and district nurses"
    sector: ClassVar[str] = "community"

    staff_per_100k: float = param(
        60.0, "WTE per 100,000 registered",
        "35,432 FTE community health nurses in NHS trusts and CCGs in England, October 2017 "
        "[parliament-community-nurses-2018], for about 59m registered patients (60.0m in 2019 "
        "[gponline-practices-2019]); district nurses, 4,031 FTE of them, fell 43% in ten years "
        "[qni-district-nursing-2019]", "Community nurses in post today.", ge=0.0, le=1000.0)
    vacancy_rate: float = param(
        0.095, "share of funded posts", "Community nursing vacancy rate estimated at 9.5% "
        "[nhs-providers-2018]", "Funded community nursing posts vacant today.", ge=0.0, lt=0.9)
    leaver_rate_per_year: float = param(
        0.115, "share of staff a year", "NHS nurses in England: leaver rate 11.5% in the year to "
        "June 2022 [nuffield-nurse-leavers-2022]", "Nurses leaving their posts each year.",
        ge=0.0, le=1.0)
    cost_per_wte: UnitCost = param(
        UnitCost(value=50490.0, cost_year="2024/25"), "£ per WTE a year (with on-costs)",
        "Agenda for Change band 6, middle pay point £39,405 (2024/25) [nhs-afc-pay-2024] plus "
        "on-costs of 28.1% of salaries (employer NI, pension and levy, an NHS community trust's "
        "2023/24 accounts [lpft-accounts-2024])", "Employer's cost of a band 6 community nurse "
        "for a year.")


class CareWorkers(RoleParams):
    """Care workers in home care (domiciliary care and reablement)."""

    label: ClassVar[str] = "care workers (home care and reablement)"
    sector: ClassVar[str] = "social care"

    staff_per_100k: float = param(
        1000.0, "filled posts per 100,000 registered",
        "Independent-sector domiciliary care filled posts rose by 43,000 (7.9%) in 2023/24 "
        "[hca-skills-for-care-2024], so about 590,000, for about 59m people; ASSUMPTION: one "
        "filled post counted as one WTE (Skills for Care counts posts, not FTE)",
        "Care workers in post today.", ge=0.0, le=10000.0)
    vacancy_rate: float = param(
        0.119, "share of funded posts", "Domiciliary care vacancy rate 11.9% in 2023/24 "
        "[hca-skills-for-care-2024] (11.5% in [kings-fund-social-care-360-2024])",
        "Funded care-worker posts vacant today.", ge=0.0, lt=0.9)
    leaver_rate_per_year: float = param(
        0.248, "share of staff a year", "Adult social care turnover 24.8% in 2023/24 (Skills for "
        "Care, as reported in [dcs-skills-for-care-2024])", "Care workers leaving each year.",
        ge=0.0, le=1.0)
    hire_lag_months: int = param(
        2, "months", "ASSUMPTION: shorter than the NHS's (checks and induction, little notice)",
        "Months before a recruit starts.", ge=0, le=24)
    cost_per_wte: UnitCost = param(
        UnitCost(value=24089.0, cost_year="2023/24"), "£ per WTE a year (with on-costs)",
        "Median care-worker pay £11.00 an hour, December 2023 [chm-skills-for-care-pay-2024], "
        "x 37.5 hours x 52.14 weeks = £21,508; ASSUMPTION: on-costs 12% (employer NI and a 3% "
        "workplace pension)", "Employer's cost of a care worker for a year.")


class GeneralPractitioners(RoleParams):
    """Fully qualified GPs (general practice)."""

    label: ClassVar[str] = "GPs (fully qualified)"
    sector: ClassVar[str] = "primary"

    staff_per_100k: float = param(
        45.0, "FTE per 100,000 registered",
        "0.45 FTE fully qualified GPs per 1,000 patients, September 2022 [bmjopen-gp-trends-2024];"
        " 27,368 FTE in October 2023 [bma-gp-pressures-2023]", "GPs in post today.",
        ge=0.0, le=1000.0)
    vacancy_rate: float = param(
        0.05, "share of funded posts", "ASSUMPTION: no official vacancy series for general "
        "practice (NHS vacancy statistics cover trusts)", "Funded GP posts vacant today.",
        ge=0.0, lt=0.9)
    leaver_rate_per_year: float = param(
        0.08, "share of staff a year", "ASSUMPTION: about one GP in twelve leaves general "
        "practice each year (joiner and leaver tables of NHS Digital's general practice "
        "workforce series were not read)", "GPs leaving each year.", ge=0.0, le=1.0)
    hire_lag_months: int = param(
        4, "months", "ASSUMPTION: recruitment and three months' notice",
        "Months before a recruit starts.", ge=0, le=24)
    cost_per_wte: UnitCost = param(
        UnitCost(value=140000.0, cost_year="2023/24"), "£ per FTE a year (with on-costs)",
        "ASSUMPTION (range £100,000-£180,000): between a salaried GP's and a partner's cost "
        "with on-costs", "Cost of a GP for a year.")


class WorkforceParams(Section):
    """The staff behind every community, social-care and primary-care service (by role)."""

    recruitment: Literal["limited", "instant"] = param(
        "limited", "-", "ASSUMPTION: extra posts must be recruited (issue 13); ``instant`` is "
        "the model before the workforce, for comparison",
        "``limited``: staff follow funded posts through vacancies, a recruitment lag and a "
        "ceiling on recruits; ``instant``: every funded post is filled at today's vacancy rate "
        "at once (the capacity of lco-sim before the workforce).")
    gp_share_of_appointments: float = param(
        0.5, "share of practice appointments", "Half of general practice appointments are "
        "given by GPs (2018-2023) [bmjopen-gp-trends-2024]", "Share of a practice's "
        "appointment capacity that moves with its GPs in post (the rest with other staff, "
        "held at today's).", ge=0.0, le=1.0)
    community_nurse: CommunityNurses = CommunityNurses()
    care_worker: CareWorkers = CareWorkers()
    gp: GeneralPractitioners = GeneralPractitioners()

    def roles(self) -> dict[str, RoleParams]:
        """Every role's parameters, by role name, in declaration order."""
        return {name: getattr(self, name) for name in ROLE_NAMES}


ROLE_NAMES = tuple(name for name, f in WorkforceParams.model_fields.items()
                   if isinstance(f.default, RoleParams))
"""The roles, in declaration order (the categories of the ``role`` dimension)."""

PRIMARY_CARE_ROLE = "gp"
"""The role whose staff in post scale GP practices' appointment capacity."""


def role_label(name: str) -> str:
    """A role's plain-English label.

    Example:
        >>> role_label("community_nurse")
        'community and district nurses'
    """
    return type(WorkforceParams.model_fields[name].default).label


def role_sector(name: str) -> str:
    """The spending sector of a role's pay (the finance ledger's sectors)."""
    return type(WorkforceParams.model_fields[name].default).sector


def productivity(service_per_100k: float, role: RoleParams) -> float:
    """A service's capacity per WTE of the role that staffs it (today's, by construction).

    Example:
        >>> round(productivity(2.6, WorkforceParams().community_nurse), 4)  # responses a day
        0.0433
    """
    return service_per_100k / role.staff_per_100k if role.staff_per_100k > 0 else 0.0


class RoleFlows:
    """Staff in post of one role in ``n`` neighbourhoods, month by month (ratios to today's).

    State is kept as deviations from the steady state so that, with no change, staff in post
    stay bit-for-bit today's (no rounding drift over the months).

    Args:
        role: the role's parameters.
        n: number of neighbourhoods.
        instant: fill every funded post at once (no recruitment limit).

    Raises:
        ValueError: the hire lag is too long for the vacancy and leaver rates (the steady state
            would need more recruits in the pipeline than there are vacancies).
    """

    def __init__(self, role: RoleParams, n: int, instant: bool = False):
        v_ref = role.vacancy_rate
        v = min(v_ref + role.shortage, 0.9)
        self.instant = instant
        self.lag = int(role.hire_lag_months)
        self.leave = role.leaver_rate_per_year / MONTHS_PER_YEAR
        self.funded_ratio = 1.0 / (1.0 - v_ref)  # funded posts per staff in post today
        self.steady = (1.0 - v) / (1.0 - v_ref)  # staff in post at the run's vacancy rate
        self.hires = self.leave * self.steady  # recruits a month in the steady state
        open_posts = v * self.funded_ratio - self.lag * self.hires
        if self.hires > 0 and open_posts <= 0:
            raise ValueError(f"workforce: hire_lag_months {self.lag} is too long for vacancy rate "
                             f"{v:g} and leaver rate {role.leaver_rate_per_year:g}; allowed: "
                             f"fewer than {v * self.funded_ratio / self.hires:.1f} months")
        self.fill = self.hires / open_posts if self.hires > 0 else 0.0
        self.ceiling = (role.supply_ratio - 1.0) * self.hires
        self.x = np.zeros(n)  # staff in post minus the steady state
        self.pipeline = np.zeros((self.lag, n))  # recruits due to start, minus the steady state
        self.establishment = np.ones(n)

    def ratio(self) -> np.ndarray:
        """Staff in post as a share of today's, by neighbourhood."""
        return self.steady + self.x

    def funded(self) -> np.ndarray:
        """Funded posts as a share of today's staff in post, by neighbourhood."""
        return self.funded_ratio * self.establishment

    def step(self, establishment: np.ndarray) -> None:
        """One month: funded posts become ``establishment`` x today's; recruits start, staff leave.

        Args:
            establishment: funded posts as a share of today's in each neighbourhood.
        """
        self.establishment = np.asarray(establishment, float)
        y = self.establishment - 1.0
        if self.instant:
            self.x = self.steady * y
            return
        open_dev = y * self.funded_ratio - self.x - self.pipeline.sum(axis=0)
        decided = np.clip(self.fill * open_dev, -self.hires, self.ceiling)
        if self.lag:
            started = self.pipeline[0].copy()
            self.pipeline = np.vstack([self.pipeline[1:], decided[None, :]])
        else:
            started = decided
        self.x = self.x + started - self.leave * self.x


STAFF_METRICS = (
    Metric("staff_in_post", "stock", "WTE", "Staff in post by role (WTE at run scale; filled "
           "posts for care workers).", level="category", dimension="role",
           categories=ROLE_NAMES, label="Staff in post"),
    Metric("staff_funded", "stock", "WTE", "Funded posts by role (establishment, with the LCO's "
           "extra posts).", level="category", dimension="role", categories=ROLE_NAMES,
           label="Funded posts"),
    Metric("vacancy_rate", "stock", "share", "Share of funded posts vacant, by role.",
           level="category", dimension="role", categories=ROLE_NAMES, label="Vacancy rate"),
)
"""The workforce's daily series (one value per role)."""


class Workforce(Part):
    """Staff in post of every role in every neighbourhood; sets the capacity of what they staff.

    Each month (after the LCO sets its community investment, before the levers enrol patients) it
    moves every role's staff one month on and gives each staffed service its capacity multiplier
    (:meth:`simulation.services.ServiceDirectory.set_staffing`) and each GP practice its share of
    GPs in post.
    """

    name = "workforce"
    metrics = STAFF_METRICS

    def setup(self, model) -> None:
        """Size every role from the neighbourhoods' registered patients at the start."""
        super().setup(model)
        wp: WorkforceParams = model.scenario.workforce
        pop = model.population
        sizes = np.bincount(pop.neighbourhood[: pop.n], minlength=model.n_neighbourhoods)
        self.params = wp.roles()
        self.registered = max(float(sizes.sum()), 1.0)
        self.today_wte = {r: p.staff_per_100k * sizes / 1e5 for r, p in self.params.items()}
        specs = [model.services.specs[name] for name in model.services.names()]
        self.staffed = [s for s in specs if s.staff]
        unknown = sorted({r for s in self.staffed for r in s.staff} - set(self.params))
        if unknown:
            raise ValueError(f"services name staff roles {unknown} that have no workforce "
                             f"parameters; known roles: {list(self.params)}")
        # the LCO's community investment funds posts of the roles of the services it raises
        self.invested = {r for s in self.staffed if s.uplift for r in s.staff}
        instant = wp.recruitment == "instant"
        self.flows = {r: RoleFlows(p, model.n_neighbourhoods, instant)
                      for r, p in self.params.items()}
        self.gp_share = wp.gp_share_of_appointments
        self.in_post = np.zeros((max(model.horizon_days, 0), len(self.params)))
        self.funded = np.zeros_like(self.in_post)

    def monthly(self, day: int) -> None:
        """A month of recruitment and leavers; then every staffed capacity follows staff in post."""
        model = self.model
        uplift = np.asarray(model.community_uplift, float)
        ones = np.ones(model.n_neighbourhoods)
        for role, flows in self.flows.items():
            flows.step(1.0 + uplift if role in self.invested else ones)
        for spec in self.staffed:
            model.services.set_staffing(spec.name, self.multiplier(spec))
        gp = self.flows[PRIMARY_CARE_ROLE].ratio()
        factor = (1.0 - self.gp_share) + self.gp_share * gp
        for p in model.practice_list:
            p.set_staffing(float(factor[p.neighbourhood]))

    def multiplier(self, spec) -> np.ndarray:
        """Capacity of ``spec`` as a share of today's base, by neighbourhood.

        A service the LCO's investment raises has the capacity of its staff in post (the extra
        posts filled so far included); another service staffed by the same role keeps its share of
        the role (staff in post / funded posts). With several roles the scarcest one binds.
        """
        out = None
        for role in spec.staff:
            flows = self.flows[role]
            m = flows.ratio() if spec.uplift else flows.ratio() / flows.establishment
            out = m if out is None else np.minimum(out, m)
        return out

    def record(self, day: int, today: dict[str, float]) -> None:
        """Staff in post, funded posts and vacancy rate of every role today."""
        if day < 0:
            return
        wte = np.array([float((self.today_wte[r] * f.ratio()).sum())
                        for r, f in self.flows.items()])
        funded = np.array([float((self.today_wte[r] * f.funded()).sum())
                           for r, f in self.flows.items()])
        vacancy = np.where(funded > 0, 1.0 - wte / np.where(funded > 0, funded, 1.0), 0.0)
        self.in_post[day], self.funded[day] = wte, funded
        self.model.set_category("staff_in_post", day, wte)
        self.model.set_category("staff_funded", day, funded)
        self.model.set_category("vacancy_rate", day, vacancy)

    def year_means(self, day: int) -> dict[str, tuple[float, float]]:
        """Mean WTE in post and funded of each role over the model year ending on ``day``."""
        start = day + 1 - 365
        return {r: (float(self.in_post[start:day + 1, i].mean()),
                    float(self.funded[start:day + 1, i].mean()))
                for i, r in enumerate(self.flows)}

    def staff_per_100k(self) -> dict[str, float]:
        """Staff in post per 100,000 registered patients at the start, by role (today's state)."""
        return {r: float((self.today_wte[r] * f.ratio()).sum()) / self.registered * 1e5
                for r, f in self.flows.items()}
