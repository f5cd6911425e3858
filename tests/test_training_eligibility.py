"""The POE eligibility engine at the edges: each rule's pass / fail / unknown with its reason and
source, the rule set chosen by date, the verdict. Pure functions: no database."""

from dataclasses import replace
from datetime import date

import pytest

from crm.models import PromisedContract as C
from crm.models import TrainingKind, TrainingMode
from crm.services.training.eligibility import (
    Cap,
    Caps,
    Case,
    FrapTerms,
    Result,
    Verdict,
    evaluate,
)

CAPS = Caps(Cap(450, "service-public 450"), Cap(600, "service-public 600"),
            Cap(300, "service-public 300"), Cap(400, "POEC 400"))
TODAY = date(2026, 3, 2)
AFTER = date(2024, 6, 21)
BEFORE = date(2024, 6, 20)

ELIGIBLE = Case(
    kind=TrainingKind.POEI, on_date=date(2026, 2, 2), contract_type=C.CDI, training_hours=300,
    mode=TrainingMode.ORGANISME, priority_public=False, offer_filed=True,
    contributions_up_to_date=True, economic_layoff_12_months=False, refused_hire_after_poe=False,
    qualiopi=True, private_individual_employer=False, convention_signed_on=date(2026, 2, 20),
    training_starts_on=date(2026, 3, 2))
TUTORED = replace(ELIGIBLE, mode=TrainingMode.TUTORAT, training_hours=None, tutoring_hours=200,
                  qualiopi=None, tutor_experience_years=3, tutor_current_trainees=0)
POEC = Case(kind=TrainingKind.POEC, on_date=date(2026, 2, 2), mode=TrainingMode.ORGANISME,
            qualiopi=True, training_hours=400, convention_signed_on=date(2026, 2, 20),
            training_starts_on=date(2026, 3, 2))


def dated(day: date, **changes) -> Case:
    """A case whose rule set is chosen by this convention date."""
    return replace(ELIGIBLE, on_date=day, convention_signed_on=day,
                   training_starts_on=date(day.year + 1, 1, 5), **changes)


P, F, U = Result.PASS, Result.FAIL, Result.UNKNOWN

CASES = [
    # contract after training, rules since 21 June 2024: each type under and at its minimum
    ("cdi", dated(AFTER, contract_type=C.CDI), "contract", P),
    ("cdi-interimaire", dated(AFTER, contract_type=C.CDI_INTERIMAIRE), "contract", P),
    ("cdd-5", dated(AFTER, contract_type=C.CDD, contract_months=5), "contract", F),
    ("cdd-6", dated(AFTER, contract_type=C.CDD, contract_months=6), "contract", P),
    ("pro-5", dated(AFTER, contract_type=C.PROFESSIONNALISATION, contract_months=5), "contract", F),
    ("pro-6", dated(AFTER, contract_type=C.PROFESSIONNALISATION, contract_months=6), "contract", P),
    ("apprentissage-5", dated(AFTER, contract_type=C.APPRENTISSAGE, contract_months=5), "contract", F),
    ("apprentissage-6", dated(AFTER, contract_type=C.APPRENTISSAGE, contract_months=6), "contract", P),
    ("saisonnier-3", dated(AFTER, contract_type=C.SAISONNIER, contract_months=3), "contract", F),
    ("saisonnier-4", dated(AFTER, contract_type=C.SAISONNIER, contract_months=4), "contract", P),
    ("missions-5", dated(AFTER, contract_type=C.MISSIONS, missions_months_within_9=5), "contract", F),
    ("missions-6", dated(AFTER, contract_type=C.MISSIONS, missions_months_within_9=6), "contract", P),
    # the day before the décret: the older, stricter rule set
    ("before-cdd-6", dated(BEFORE, contract_type=C.CDD, contract_months=6), "contract", F),
    ("before-cdd-11", dated(BEFORE, contract_type=C.CDD, contract_months=11), "contract", F),
    ("before-cdd-12", dated(BEFORE, contract_type=C.CDD, contract_months=12), "contract", P),
    ("before-pro-11", dated(BEFORE, contract_type=C.PROFESSIONNALISATION, contract_months=11),
     "contract", F),
    ("before-pro-12", dated(BEFORE, contract_type=C.PROFESSIONNALISATION, contract_months=12),
     "contract", P),
    ("before-apprentissage-12", dated(BEFORE, contract_type=C.APPRENTISSAGE, contract_months=12),
     "contract", P),
    ("before-saisonnier", dated(BEFORE, contract_type=C.SAISONNIER, contract_months=6), "contract", F),
    ("before-missions", dated(BEFORE, contract_type=C.MISSIONS, missions_months_within_9=9),
     "contract", F),
    ("before-cdi", dated(BEFORE, contract_type=C.CDI), "contract", P),
    # the request's date chooses the rule set while no convention is signed
    ("request-date-before", replace(ELIGIBLE, on_date=BEFORE, convention_signed_on=None,
                                    contract_type=C.CDD, contract_months=6), "contract", F),
    ("request-date-after", replace(ELIGIBLE, on_date=AFTER, convention_signed_on=None,
                                   contract_type=C.CDD, contract_months=6), "contract", P),
    # unknowns: a field left out is never false
    ("contract-unknown", replace(ELIGIBLE, contract_type=None), "contract", U),
    ("cdd-months-unknown", replace(ELIGIBLE, contract_type=C.CDD), "contract", U),
    ("missions-unknown", replace(ELIGIBLE, contract_type=C.MISSIONS), "contract", U),
    ("offer-unknown", replace(ELIGIBLE, offer_filed=None), "offer_filed", U),
    ("offer-not-filed", replace(ELIGIBLE, offer_filed=False), "offer_filed", F),
    ("contributions-late", replace(ELIGIBLE, contributions_up_to_date=False), "contributions", F),
    ("contributions-unknown", replace(ELIGIBLE, contributions_up_to_date=None), "contributions", U),
    ("layoff", replace(ELIGIBLE, economic_layoff_12_months=True), "economic_layoff", F),
    ("layoff-unknown", replace(ELIGIBLE, economic_layoff_12_months=None), "economic_layoff", U),
    ("previous-refusal", replace(ELIGIBLE, refused_hire_after_poe=True), "previous_refusal", F),
    ("qualiopi-missing", replace(ELIGIBLE, qualiopi=False), "training_body", F),
    ("qualiopi-unknown", replace(ELIGIBLE, qualiopi=None), "training_body", U),
    ("mode-unknown", replace(ELIGIBLE, mode=None), "training_body", U),
    # hours: at and over each cap
    ("hours-450", replace(ELIGIBLE, training_hours=450), "hours", P),
    ("hours-451", replace(ELIGIBLE, training_hours=451), "hours", F),
    ("hours-451-priority-unknown", replace(ELIGIBLE, training_hours=451, priority_public=None),
     "hours", U),
    ("hours-600-priority", replace(ELIGIBLE, training_hours=600, priority_public=True), "hours", P),
    ("hours-601-priority", replace(ELIGIBLE, training_hours=601, priority_public=True), "hours", F),
    ("hours-601-priority-unknown", replace(ELIGIBLE, training_hours=601, priority_public=None),
     "hours", F),
    ("hours-zero", replace(ELIGIBLE, training_hours=0), "hours", F),
    ("hours-unknown", replace(ELIGIBLE, training_hours=None), "hours", U),
    ("mixed-hours-add-up", replace(TUTORED, mode=TrainingMode.MIXTE, qualiopi=True,
                                   training_hours=300, tutoring_hours=151), "hours", F),
    ("mixed-tutoring-unknown", replace(TUTORED, mode=TrainingMode.MIXTE, qualiopi=True,
                                       training_hours=300, tutoring_hours=None), "hours", U),
    ("tutored-300", replace(TUTORED, tutoring_hours=300), "tutored_hours", P),
    ("tutored-301", replace(TUTORED, tutoring_hours=301), "tutored_hours", F),
    # tutoring caps
    ("tutor-2-years", replace(TUTORED, tutor_experience_years=2), "tutor_experience", P),
    ("tutor-1.9-years", replace(TUTORED, tutor_experience_years=1.9), "tutor_experience", F),
    ("tutor-experience-unknown", replace(TUTORED, tutor_experience_years=None), "tutor_experience", U),
    ("tutor-2-others", replace(TUTORED, tutor_current_trainees=2), "tutor_trainees", P),
    ("tutor-3-others", replace(TUTORED, tutor_current_trainees=3), "tutor_trainees", F),
    ("tutor-trainees-unknown", replace(TUTORED, tutor_current_trainees=None), "tutor_trainees", U),
    ("afest-tutor-checked", replace(TUTORED, mode=TrainingMode.AFEST, tutor_experience_years=1),
     "tutor_experience", F),
    # a private individual employer: external body only
    ("private-tutoring", replace(TUTORED, private_individual_employer=True), "private_employer", F),
    ("private-mixed", replace(TUTORED, mode=TrainingMode.MIXTE, qualiopi=True, training_hours=100,
                              private_individual_employer=True), "private_employer", F),
    ("private-unknown-tutoring", replace(TUTORED, private_individual_employer=None),
     "private_employer", U),
    ("firm-tutoring", TUTORED, "private_employer", P),
    # the convention is signed before the training starts
    ("convention-same-day", replace(ELIGIBLE, convention_signed_on=date(2026, 3, 2)), "convention", P),
    ("convention-day-before", replace(ELIGIBLE, convention_signed_on=date(2026, 3, 1)), "convention", P),
    ("convention-after-start", replace(ELIGIBLE, convention_signed_on=date(2026, 3, 3)),
     "convention", F),
    ("convention-unsigned", replace(ELIGIBLE, convention_signed_on=None), "convention", U),
    ("start-unknown", replace(ELIGIBLE, training_starts_on=None), "convention", U),
    # POEC
    ("poec-400", POEC, "hours", P),
    ("poec-401", replace(POEC, training_hours=401), "hours", F),
    ("poec-tutoring", replace(POEC, mode=TrainingMode.TUTORAT), "collective_mode", F),
    ("poec-qualiopi-unknown", replace(POEC, qualiopi=None), "training_body", U),
]


@pytest.mark.parametrize(("case", "rule", "expected"), [row[1:] for row in CASES],
                         ids=[row[0] for row in CASES])
def test_each_rule_at_its_edges(case, rule, expected):
    result = evaluate(case, CAPS, TODAY)
    found = [check for check in result.checks if check.rule == rule]
    assert len(found) == 1, [check.rule for check in result.checks]
    check = found[0]
    assert check.result == expected, check.reason
    assert check.reason and check.source
    if expected == F:
        assert result.verdict == Verdict.NOT_ELIGIBLE
    if expected == U:
        assert result.verdict in (Verdict.TO_COMPLETE, Verdict.NOT_ELIGIBLE)


def test_there_are_at_least_forty_edge_cases():
    assert len(CASES) >= 40


def test_a_complete_case_is_eligible_and_every_check_passes():
    result = evaluate(ELIGIBLE, CAPS, TODAY)
    assert result.verdict == Verdict.ELIGIBLE
    assert {check.result for check in result.checks} == {P}
    assert result.rule_set.valid_from == AFTER and result.rule_set.valid_to is None


def test_a_fail_outweighs_an_unknown_and_an_unknown_leaves_it_to_complete():
    assert evaluate(replace(ELIGIBLE, offer_filed=None), CAPS, TODAY).verdict == Verdict.TO_COMPLETE
    both = replace(ELIGIBLE, offer_filed=None, contributions_up_to_date=False)
    assert evaluate(both, CAPS, TODAY).verdict == Verdict.NOT_ELIGIBLE


def test_an_empty_case_is_to_complete_not_ineligible():
    result = evaluate(Case(), CAPS, TODAY)
    assert result.verdict == Verdict.TO_COMPLETE
    assert {check.result for check in result.checks} == {U}


def test_the_rule_set_follows_the_convention_date_over_the_request_date():
    signed_before = replace(ELIGIBLE, on_date=AFTER, convention_signed_on=BEFORE,
                            training_starts_on=AFTER)
    assert evaluate(signed_before, CAPS, TODAY).rule_set.valid_to == BEFORE
    assert evaluate(replace(ELIGIBLE, on_date=None, convention_signed_on=None), CAPS,
                    BEFORE).rule_set.valid_to == BEFORE


def test_caps_are_parameters_with_their_source():
    caps = replace(CAPS, poei=Cap(400, "autre source 400 h"))
    check = next(c for c in evaluate(replace(ELIGIBLE, training_hours=420), caps, TODAY).checks
                 if c.rule == "hours")
    assert check.result == F and check.source == "autre source 400 h"


FRAP = FrapTerms("FRAP TPE", 50, frozenset({"cdi", "cdd"}), 800, 200_000, date(2025, 1, 1), None,
                 "Délibération régionale")


def test_a_frap_line_tops_up_within_its_ceiling_and_refuses_big_firms():
    case = replace(ELIGIBLE, frap_requested=True, company_employees=12)
    result = evaluate(case, CAPS, TODAY, FRAP)
    assert result.frap_top_up_cents == 200_000  # 300 h × 8 € = 2 400 €, ceiling 2 000 €
    assert result.verdict == Verdict.ELIGIBLE
    big = evaluate(replace(case, company_employees=50), CAPS, TODAY, FRAP)
    assert big.verdict == Verdict.NOT_ELIGIBLE and big.frap_top_up_cents is None
    assert evaluate(replace(case, company_employees=None), CAPS, TODAY, FRAP).verdict == \
        Verdict.TO_COMPLETE
    assert evaluate(case, CAPS, TODAY, None).verdict == Verdict.TO_COMPLETE
