"""The step graph of a revision: which steps there are and which moves join them.

The graph is data stored per revision; this module only reads it and judges whether it is sound.
"""

from collections import deque
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Step kinds that finish a case (processes.models.Step.END_KINDS, repeated to keep this module free of models).
END_KINDS = ("end", "refusal")


@dataclass
class StepGraph:
    """Steps by code and the moves out of each, with the kind of each step (start, task, end)."""

    kinds: dict[str, str]
    moves: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_revision(cls, revision) -> "StepGraph":
        kinds = dict(revision.steps.values_list("code", "kind"))
        moves: dict[str, list[str]] = {code: [] for code in kinds}
        for source, target in revision.edges.values_list("source__code", "target__code"):
            moves[source].append(target)
        return cls(kinds=kinds, moves=moves)

    def _reachable(self, start: str, moves: dict[str, list[str]]) -> set[str]:
        seen = {start}
        queue = deque([start])
        while queue:
            for nxt in moves.get(queue.popleft(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def errors(self) -> list[str]:
        """Every reason the graph cannot be run, each naming the offending step."""
        if not self.kinds:
            return [_("The revision has no steps.")]
        starts = sorted(code for code, kind in self.kinds.items() if kind == "start")
        ends = {code for code, kind in self.kinds.items() if kind in END_KINDS}
        if len(starts) != 1:
            if not starts:
                return [_("The step graph needs exactly one start step; it has none.")]
            return [_("The step graph needs exactly one start step; it has %(count)s: %(steps)s.")
                    % {"count": len(starts), "steps": ", ".join(starts)}]
        if not ends:
            return [_("The step graph has no end step.")]
        problems = []
        for code in sorted(ends):
            if self.moves.get(code):
                problems.append(_("End step %(step)s has moves out of it; an end step finishes the case.") % {"step": code})
        reachable = self._reachable(starts[0], self.moves)
        for code in sorted(set(self.kinds) - reachable):
            problems.append(_("Step %(step)s cannot be reached from the start step %(start)s.")
                            % {"step": code, "start": starts[0]})
        backwards: dict[str, list[str]] = {code: [] for code in self.kinds}
        for source, targets in self.moves.items():
            for target in targets:
                backwards[target].append(source)
        can_finish: set[str] = set()
        for end in ends:
            can_finish |= self._reachable(end, backwards)
        for code in sorted(set(self.kinds) - can_finish):
            problems.append(_("No end step can be reached from step %(step)s.") % {"step": code})
        return problems

    def validate(self) -> None:
        problems = self.errors()
        if problems:
            raise ValidationError(problems)

    def next_steps(self, code: str) -> list[str]:
        return list(self.moves.get(code, []))

    def start(self) -> str | None:
        starts = [code for code, kind in self.kinds.items() if kind == "start"]
        return starts[0] if len(starts) == 1 else None

    def _forward_moves(self, start: str) -> dict[str, list[str]]:
        """The moves without those that loop back (to a step already on the way from the start)."""
        forward: dict[str, list[str]] = {code: [] for code in self.kinds}
        state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
        stack = [(start, iter(self.moves.get(start, [])))]
        state[start] = 1
        while stack:
            code, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[code] = 2
                stack.pop()
            elif state.get(target) != 1:
                forward[code].append(target)
                if target not in state:
                    state[target] = 1
                    stack.append((target, iter(self.moves.get(target, []))))
        return forward

    def longest_path(self, weights: dict[str, float]) -> tuple[float, list[str]]:
        """The heaviest way from the start to a step that returns a result, loops left out.

        With each step's time limit as its weight, this is the time a case may take when every
        step uses its whole allowance: the basis of the case's due date.
        """
        start = self.start()
        if start is None:
            return 0.0, []
        forward = self._forward_moves(start)
        results = {code for code, kind in self.kinds.items() if kind == "end"} or {
            code for code, kind in self.kinds.items() if kind in END_KINDS
        }
        best: dict[str, tuple[float, list[str]] | None] = {}

        def visit(code: str) -> tuple[float, list[str]] | None:
            if code in best:
                return best[code]
            options = [found for nxt in forward[code] if (found := visit(nxt)) is not None]
            if code in results:
                options.append((0.0, []))
            if not options:
                best[code] = None
                return None
            weight, path = max(options, key=lambda option: option[0])
            best[code] = (weight + weights.get(code, 0.0), [code, *path])
            return best[code]

        return visit(start) or (0.0, [])
