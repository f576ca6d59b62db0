import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from processes.graph import StepGraph
from processes.models import Step
from tests.factories import ProcedureRevisionFactory, StepEdgeFactory, StepFactory, build_step_graph


def _errors(kinds: dict[str, str], moves: dict[str, list[str]]) -> list[str]:
    graph = StepGraph(kinds=kinds, moves={code: moves.get(code, []) for code in kinds})
    with override("en"):
        return [str(error) for error in graph.errors()]


def test_a_graph_without_steps_is_refused():
    assert _errors({}, {}) == ["The revision has no steps."]


def test_a_graph_without_a_start_step_is_refused():
    assert _errors({"XL": "task", "KQ": "end"}, {"XL": ["KQ"]}) == [
        "The step graph needs exactly one start step; it has none."
    ]


def test_a_graph_with_two_start_steps_names_both():
    errors = _errors({"TN": "start", "TN2": "start", "KQ": "end"}, {"TN": ["KQ"], "TN2": ["KQ"]})

    assert errors == ["The step graph needs exactly one start step; it has 2: TN, TN2."]


def test_a_graph_without_an_end_step_is_refused():
    assert _errors({"TN": "start", "XL": "task"}, {"TN": ["XL"]}) == ["The step graph has no end step."]


def test_a_step_that_cannot_be_reached_from_the_start_is_named():
    errors = _errors(
        {"TN": "start", "XL": "task", "LAC": "task", "KQ": "end"},
        {"TN": ["XL"], "XL": ["KQ"], "LAC": ["KQ"]},
    )

    assert errors == ["Step LAC cannot be reached from the start step TN."]


def test_a_step_from_which_no_end_can_be_reached_is_named():
    errors = _errors(
        {"TN": "start", "XL": "task", "CUT": "task", "KQ": "end"},
        {"TN": ["XL"], "XL": ["KQ", "CUT"]},
    )

    assert errors == ["No end step can be reached from step CUT."]


def test_a_loop_that_never_reaches_an_end_names_each_of_its_steps():
    errors = _errors(
        {"TN": "start", "XL": "task", "A": "task", "B": "task", "KQ": "end"},
        {"TN": ["XL"], "XL": ["KQ", "A"], "A": ["B"], "B": ["A"]},
    )

    assert errors == ["No end step can be reached from step A.", "No end step can be reached from step B."]


def test_an_end_step_with_moves_out_of_it_is_named():
    errors = _errors(
        {"TN": "start", "XL": "task", "KQ": "end"},
        {"TN": ["XL"], "XL": ["KQ"], "KQ": ["XL"]},
    )

    assert errors == ["End step KQ has moves out of it; an end step finishes the case."]


def test_several_problems_are_all_reported():
    errors = _errors(
        {"TN": "start", "XL": "task", "LAC": "task", "KQ": "end"},
        {"TN": ["XL"], "KQ": ["XL"]},
    )

    assert errors == [
        "End step KQ has moves out of it; an end step finishes the case.",
        "Step KQ cannot be reached from the start step TN.",
        "Step LAC cannot be reached from the start step TN.",
        "No end step can be reached from step LAC.",
        "No end step can be reached from step TN.",
        "No end step can be reached from step XL.",
    ]


def test_a_sound_graph_with_a_supplement_loop_and_a_reject_move_has_no_errors():
    errors = _errors(
        {"TN": "start", "XL": "task", "BS": "task", "KQ": "end", "TC": "end"},
        {"TN": ["XL"], "XL": ["BS", "KQ", "TC"], "BS": ["XL"]},
    )

    assert errors == []


def test_validate_raises_every_error_at_once():
    graph = StepGraph(kinds={"TN": "start", "KQ": "end", "LAC": "task"}, moves={"TN": ["KQ"], "KQ": [], "LAC": []})

    with override("en"), pytest.raises(ValidationError) as refused:
        graph.validate()

    assert refused.value.messages == [
        "Step LAC cannot be reached from the start step TN.",
        "No end step can be reached from step LAC.",
    ]


@pytest.mark.django_db
def test_the_graph_of_a_revision_is_read_from_its_steps_and_edges():
    revision = ProcedureRevisionFactory()
    build_step_graph(revision)

    graph = revision.step_graph()

    assert graph.kinds == {"TN": "start", "XL": "task", "BS": "task", "KQ": "end", "TC": "end"}
    assert sorted(graph.next_steps("XL")) == ["BS", "KQ", "TC"]
    assert graph.next_steps("BS") == ["XL"]
    assert graph.next_steps("KQ") == []
    assert graph.errors() == []


@pytest.mark.django_db
def test_the_graph_of_a_revision_ignores_the_steps_of_other_revisions():
    revision = ProcedureRevisionFactory()
    build_step_graph(revision)
    other = ProcedureRevisionFactory()
    StepEdgeFactory(
        revision=other,
        source=StepFactory(revision=other, code="TN", kind=Step.Kind.START),
        target=StepFactory(revision=other, code="ZZ"),
    )

    assert set(revision.step_graph().kinds) == {"TN", "XL", "BS", "KQ", "TC"}
