"""Fixtures of the metrics tests (the data live in ``metric_examples``)."""

from __future__ import annotations

import pytest
from metric_examples import FERMION_KINETIC, HIGGS, SINGLET, SU3_QUARTIC, YUKAWA


@pytest.fixture(params=["higgs", "singlet", "su3"])
def paper_lagrangian(request) -> str:
    return {"higgs": HIGGS, "singlet": SINGLET, "su3": SU3_QUARTIC + " " + YUKAWA + " " + FERMION_KINETIC}[
        request.param
    ]
