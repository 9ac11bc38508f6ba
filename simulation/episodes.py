"""The patient-level episode log: one row per emergency admission, like Hospital Episode Statistics.

Deprivation is written as in the results: ``Q1`` (most deprived) to ``Q5``
(:data:`simulation.population.QUINTILE_LABELS`).

Example:
    >>> log = EpisodeLog()
    >>> ids = log.open(patient=np.array([4]), hospital=np.array([0]), admit_day=np.array([2]),
    ...                fit_day=np.array([5]), route=np.array([ROUTE_AE]),
    ...                readmission=np.array([False]),
    ...                neighbourhood=np.array([1]), practice=np.array([3]), age=np.array([80]),
    ...                female=np.array([True]), quintile=np.array([0]), tier=np.array([3]))
    >>> log.close(ids, discharge_day=np.array([6]), destination=np.array([0]),
    ...           delayed_days=np.array([1]))
    >>> [str(v) for v in log.frame().loc[0, ["los", "delayed_days", "route", "destination",
    ...                                          "quintile"]]]
    ['4', '1', 'ae', 'home', 'Q1']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.hospital import DESTINATIONS
from simulation.population import QUINTILE_LABELS

ROUTE_AE, ROUTE_DIRECT = 0, 1
ROUTES = ("ae", "direct")

_COLUMNS = {
    "patient": np.int64, "hospital": np.int16, "neighbourhood": np.int16, "practice": np.int16,
    "age": np.int16, "female": bool, "quintile": np.int8, "tier": np.int8, "route": np.int8,
    "readmission": bool, "admit_day": np.int32, "fit_day": np.int32, "discharge_day": np.int32,
    "delayed_days": np.int32, "destination": np.int8,
}


class EpisodeLog:
    """Growable column store of admissions; ``frame()`` gives the tidy table."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cols = {k: np.zeros(capacity, t) for k, t in _COLUMNS.items()}
        self._cols["discharge_day"][:] = -1
        self._cols["destination"][:] = -1

    def _ensure(self, extra: int) -> None:
        cap = len(self._cols["patient"])
        if self.n + extra <= cap:
            return
        new = max(self.n + extra, cap * 2)
        for k, col in self._cols.items():
            grown = np.full(new, -1 if k in ("discharge_day", "destination") else 0, col.dtype)
            grown[:cap] = col
            self._cols[k] = grown

    def open(self, **values: np.ndarray) -> np.ndarray:
        """Record new admissions; returns their episode ids."""
        k = len(values["patient"])
        self._ensure(k)
        ids = np.arange(self.n, self.n + k)
        for name, v in values.items():
            self._cols[name][ids] = v
        self.n += k
        return ids

    def close(self, ids: np.ndarray, discharge_day: np.ndarray, destination: np.ndarray,
              delayed_days: np.ndarray) -> None:
        """Record discharges (or deaths) of open episodes."""
        self._cols["discharge_day"][ids] = discharge_day
        self._cols["destination"][ids] = destination
        self._cols["delayed_days"][ids] = delayed_days

    def column(self, name: str) -> np.ndarray:
        """A column for the episodes so far (a view)."""
        return self._cols[name][: self.n]

    def frame(self, start_date: str | None = None, hospital_names: list[str] | None = None,
              destinations: tuple[str, ...] = DESTINATIONS) -> pd.DataFrame:
        """One row per admission; open episodes: ``discharge_day`` -1, destination 'in_hospital'.

        ``destinations`` names every destination code (the model's, with any extra services').
        """
        df = pd.DataFrame({k: v[: self.n] for k, v in self._cols.items()})
        df.insert(0, "episode", np.arange(self.n))
        df["los"] = np.where(df["discharge_day"] >= 0, df["discharge_day"] - df["admit_day"], -1)
        df["route"] = pd.Categorical.from_codes(df["route"], ROUTES)
        df["quintile"] = pd.Categorical.from_codes(df["quintile"], QUINTILE_LABELS)
        dest = np.asarray(df["destination"])
        labels = list(destinations) + ["in_hospital"]
        df["destination"] = pd.Categorical.from_codes(np.where(dest < 0, len(destinations), dest),
                                                      labels)
        if hospital_names is not None:
            names = list(hospital_names) + ["out_of_area"]
            h = np.asarray(df["hospital"])
            df["hospital"] = pd.Categorical.from_codes(np.where(h < 0, len(hospital_names), h),
                                                       names)
        if start_date is not None:
            base = pd.Timestamp(start_date)
            df["admit_date"] = base + pd.to_timedelta(df["admit_day"], unit="D")
        return df
