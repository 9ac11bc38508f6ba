"""GP practices: lists, daily appointment capacity, and voluntary integration.

Practices are Mesa agents. Each month a practice below the scenario's integration level may step
up one status (none -> virtual -> partial -> full) with a hazard that grows with the LCO's
incentive, the share of its neighbourhood's practices already at the next status, and the
pressure of unmet need on its own list. A share of practices never join (Dudley: 38 of 45 joined,
[gponline-dudley-2017]).

Booking is vectorised across practices (:func:`book_appointments`): with ~8,500 requests a day
at full scale, one Python call per practice per day would cost more than the whole patient model.

Example:
    >>> met, unmet = book_appointments(np.array([5, 6, 7]), np.array([0, 0, 1]),
    ...                                np.array([1, 5]), np.array([0.3, 0.1, 0.5]))
    >>> sorted(met.tolist()), unmet.tolist()
    ([6, 7], [5])
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from simulation.scenario import AdoptionParams


class GPPractice(mesa.Agent):
    """A GP practice with a registered list and an integration status.

    Attributes:
        index: position in the model's practice arrays (0..n-1).
        neighbourhood: the neighbourhood whose team it works with.
        status: 0 none, 1 virtual, 2 partial, 3 full.
        willing: whether it would join the LCO at all.
        list_size: registered living patients (updated monthly).
        daily_capacity: appointments a day.
    """

    def __init__(self, model: mesa.Model, index: int, neighbourhood: int, willing: bool):
        super().__init__(model)
        self.index = index
        self.neighbourhood = neighbourhood
        self.willing = willing
        self.status = 0
        self.status_since_day = 0
        self.list_size = 0
        self.daily_capacity = 0.0
        self.staffing = 1.0  # share of today's appointment capacity its staff in post give
        self._list_capacity = 0.0
        self._carry = 0.0
        self.requests_month = 0
        self.unmet_month = 0
        self.unmet_share = 0.0

    def update_list(self, list_size: int, appointments_per_patient_year: float) -> None:
        """Set the list size and the capacity that goes with it."""
        self.list_size = int(list_size)
        self._list_capacity = list_size * appointments_per_patient_year / 365.25
        self.daily_capacity = self._list_capacity * self.staffing

    def set_staffing(self, share: float) -> None:
        """Appointment capacity at ``share`` of what the list gives with today's staff in post."""
        self.staffing = share
        self.daily_capacity = self._list_capacity * share

    def capacity_today(self) -> int:
        """Whole appointments today; the fractional remainder carries to tomorrow."""
        total = self.daily_capacity + self._carry
        whole = math.floor(total)
        self._carry = total - whole
        return whole

    def close_month(self) -> None:
        """Turn the month's booking counts into the unmet-need share that drives adoption."""
        self.unmet_share = self.unmet_month / self.requests_month if self.requests_month else 0.0
        self.requests_month = self.unmet_month = 0

    def adoption_hazard(self, params: AdoptionParams, peer_share: float, incentive: bool) -> float:
        """Annual hazard of stepping up one integration status."""
        return (params.base_per_year + (params.incentive_per_year if incentive else 0.0)
                + params.peer_per_year * peer_share + params.pressure_per_year * self.unmet_share)

    def consider_adoption(self, day: int, target_status: int, params: AdoptionParams,
                          peer_share: float, u: float) -> bool:
        """Monthly decision: step up one status with probability 1 - exp(-hazard/12)."""
        if not self.willing or self.status >= target_status:
            return False
        p = 1 - math.exp(-self.adoption_hazard(params, peer_share, incentive=True) / 12)
        if u < p:
            self.status += 1
            self.status_since_day = day
            return True
        return False


def book_appointments(requests: np.ndarray, practice_of_request: np.ndarray,
                      capacity: np.ndarray, priority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give each practice's appointments to its requests in random order.

    Args:
        requests: patient ids asking today.
        practice_of_request: their practice index.
        capacity: appointments available today at each practice.
        priority: a uniform per request; lower books first (random order).

    Returns:
        ``(met, unmet)`` patient ids.
    """
    if len(requests) == 0:
        return requests, requests
    # practice index plus a priority in [0, 1) sorts by practice, then randomly within it
    order = np.argsort(practice_of_request + priority * 0.999, kind="stable")
    prac = practice_of_request[order]
    starts = np.flatnonzero(np.r_[True, prac[1:] != prac[:-1]])
    counts = np.diff(np.r_[starts, len(prac)])
    rank = np.arange(len(prac)) - np.repeat(starts, counts)
    ok = rank < capacity[prac]
    return requests[order][ok], requests[order][~ok]
