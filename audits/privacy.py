"""The privacy rule (METHOD.md section 2, "measure the process, not the person"), in one place.

Client-facing figures are never broken down by participant. A team is shown on its own only when at
least k participants have entries in the window; smaller teams and the unassigned are folded into
"Other teams". Everything that shows a team to a client, here and in the reports of step 3, goes
through `team_fold`.
"""

from __future__ import annotations

from collections.abc import Mapping

OTHER_TEAMS = "Other teams"
UNASSIGNED = ""  # a participant without a team


def teams_shown(*, sizes: Mapping[str, int], k: int) -> set[str]:
    """The teams shown on their own: named, with at least k participants with entries in the window."""
    return {team for team, size in sizes.items() if team != UNASSIGNED and size >= k}


def team_fold(team: str, *, shown: set[str]) -> str:
    """The name a client sees for `team`: itself when shown, else "Other teams"."""
    return team if team in shown else OTHER_TEAMS


def team_sizes_folded(*, sizes: Mapping[str, int], k: int) -> dict[str, int]:
    """Participants with entries in the window per team as a client sees them: small teams and the
    unassigned added up under "Other teams" (present only when it holds someone)."""
    shown = teams_shown(sizes=sizes, k=k)
    folded: dict[str, int] = {}
    for team, size in sizes.items():
        name = team_fold(team, shown=shown)
        folded[name] = folded.get(name, 0) + size
    return folded
