"""The scale: the level is likelihood × impact, its band comes from where the bands begin, and the
scale is data the secretary changes (3 × 3 as well as 5 × 5)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from risks.models import Band, Risk, RiskScale

from ..factories import make_risk, risk_scale

pytestmark = pytest.mark.django_db

LOW, MEDIUM, HIGH, CRITICAL = Band.LOW, Band.MEDIUM, Band.HIGH, Band.CRITICAL


def test_the_default_scale_is_five_by_five_with_bands_from_5_10_and_15():
    scale = RiskScale.objects.current()
    assert (scale.size, scale.medium_from, scale.high_from, scale.critical_from) == (5, 5, 10, 15)
    assert RiskScale.objects.count() == 1


@pytest.mark.parametrize(("level", "band"), [
    (1, LOW), (4, LOW), (5, MEDIUM), (9, MEDIUM), (10, HIGH), (12, HIGH), (14, HIGH), (15, CRITICAL), (25, CRITICAL),
])
def test_a_level_on_the_five_by_five_scale_falls_in_its_band(level, band):
    assert RiskScale.objects.current().band(level) == band


@pytest.mark.parametrize(("likelihood", "impact", "band"), [
    (1, 1, LOW), (1, 2, LOW), (1, 3, MEDIUM), (2, 2, MEDIUM), (2, 3, HIGH), (3, 2, HIGH), (3, 3, CRITICAL),
])
def test_a_three_by_three_scale_maps_the_products_to_its_own_bands(likelihood, impact, band):
    scale = risk_scale(size=3, medium_from=3, high_from=6, critical_from=9)
    assert scale.band(likelihood * impact) == band
    assert scale.band_range(CRITICAL) == (9, 9)


def test_an_unassessed_risk_has_no_band():
    assert RiskScale.objects.current().band(None) is None


@pytest.mark.parametrize("size", [3, 5])
def test_the_sql_band_agrees_with_the_python_band_for_every_level(head, size):
    bands = {3: (3, 6, 9), 5: (5, 10, 15)}[size]
    scale = risk_scale(size=size, medium_from=bands[0], high_from=bands[1], critical_from=bands[2])
    risks = [make_risk(owner=head, title=f"R {l}×{i}", likelihood=l, impact=i)
             for l in range(1, size + 1) for i in range(1, size + 1)]
    in_sql = dict(Risk.objects.annotate(band=scale.band_case()).values_list("pk", "band"))
    assert in_sql == {risk.pk: scale.band(risk.level) for risk in risks}


@pytest.mark.parametrize(("values", "field"), [
    ({"medium_from": 10, "high_from": 10}, "critical_from"),
    ({"critical_from": 26}, "critical_from"),
    ({"medium_from": 1}, "critical_from"),
    ({"size": 1}, "size"),
    ({"size": 11}, "size"),
])
def test_the_bands_must_begin_in_rising_order_within_the_scale(values, field):
    scale = RiskScale.objects.current()
    for name, value in values.items():
        setattr(scale, name, value)
    with pytest.raises(ValidationError) as excinfo:
        scale.full_clean()
    assert field in excinfo.value.error_dict


def test_the_scale_cannot_shrink_below_the_ratings_in_use(head):
    make_risk(owner=head, likelihood=2, impact=4)
    scale = RiskScale.objects.current()
    scale.size, scale.medium_from, scale.high_from, scale.critical_from = 3, 3, 6, 9
    with override("en"), pytest.raises(ValidationError) as excinfo:
        scale.full_clean()
    assert excinfo.value.message_dict["size"] == [
        "Risks are rated up to 4; the scale cannot have fewer points. Reassess them first."
    ]


def test_the_names_of_the_points_are_padded_to_the_size_of_the_scale():
    scale = risk_scale(likelihood_labels="Hiếm khi\nÍt khả năng\n\nCó thể xảy ra")
    assert scale.likelihood_names() == ["Hiếm khi", "Ít khả năng", "Có thể xảy ra", "", ""]
    assert scale.impact_names() == ["", "", "", "", ""]
