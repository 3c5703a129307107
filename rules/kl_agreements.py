"""The collective agreements built in: KL/FOA and KL/DSR under the municipal working-time
agreements for the døgnområde, and `none` (law only) for staff outside the agreements, such as
agency vikarer.

Since 2016 the KL døgn agreements are harmonised (same structure, same special days, same
supplement windows; rules-dk § 0), so both bundle the same rules with the same defaults; they
differ in the text they cite. Section numbers are given only where rules-dk quotes them; the
agreement PDFs could not be read (rules-dk § 9: verify before go-live).
"""

from __future__ import annotations

from typing import Any

from . import register_agreement
from .base import Agreement, AgreementTerms

AGREEMENT_RULES: dict[str, dict[str, Any]] = {
    "fridoegn.count": {},
    "fridoegn.length": {},
    "weekend.off_frequency": {},
    "shifts.length": {},
    "hours.norm": {},
    "plan.publication": {},
    "plan.change_notice": {},
    "change.inddraget_fridoegn": {},
    "change.overtime_notice": {},
    "shifts.max_per_day": {},
    "shifts.max_consecutive_nights": {},
}

FOA = register_agreement(
    Agreement(
        id="foa",
        title="KL/FOA: social- og sundhedspersonale (SSH, SSA, hjælpere, afløsere)",
        source="KL 79.01 Aftale om arbejdstid for de kommunale døgnområder – social- og sundhedspersonale",
        rules=AGREEMENT_RULES,
        citations={
            "fridoegn.length": "§ 4 stk. 3 (per Arbejdsretten 2017)",
            "plan.change_notice": "§ 7 stk. 1",
            "change.inddraget_fridoegn": "§ 9 (per Arbejdsretten 2017, pre-2016 text)",
            "change.overtime_notice": "§ 11 stk. 1 / § 12 stk. 2",
        },
    )
)

DSR = register_agreement(
    Agreement(
        id="dsr",
        title="KL/DSR: sygeplejersker",
        source="KL 79.03 Aftale om arbejdstid for de kommunale døgnområder – syge- og sundhedsplejersker m.fl.",
        rules=AGREEMENT_RULES,
        # The last verified aftentillæg for 79.03 is the 2020 value (rules-dk § 8: OK24 changes for
        # 79.03 unverified, U); 79.01's 36 % from 2026 is verified. Check before go-live (§ 9 item 8).
        terms=AgreementTerms(evening_pct=30.0),
    )
)

NONE = register_agreement(
    Agreement(
        id="none",
        title="No collective agreement: the law only (e.g. agency vikarer)",
        source="",
        rules={},
        # No ulempetillæg, varsling supplement or fridøgn fee: those are agreement pay (an agency pays
        # its own). No overtime premium either: without `hours.norm` there is no normperiode to settle,
        # so every hour, the autumn DST hour too, is paid in `normal` at 100 % (rules-dk ot.overarbejde
        # is agreement text; the law fixes no premium). 100 % keeps the terms honest if a scenario adds
        # `hours.norm` for `none`: its settlement lines then pay what `normal` would have.
        terms=AgreementTerms(
            evening_pct=0,
            night_pct=0,
            saturday_pct=0,
            sunday_holiday_pct=0,
            special_pct=0,
            late_change_rate=0,
            merarbejde_pct=100,
            overtime_pct=100,
            fridoegn_overtime_hours=0,
            fridoegn_fee=0,
            overtime_notice_fee=0,
        ),
    )
)
