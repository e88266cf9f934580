"""Who acts on a plan, and which role mappings are theirs.

A person's organisation is their Enterprise Grid enterprise id if they have one, else their own
Slack team id (their home workspace, which in a Slack Connect channel is not the workspace that
installed planbot). A role mapping names a user id and the organisation that user belongs to,
and it is theirs whichever workspace of that organisation they act from. Nobody holds a role
through someone else's organisation: a Slack Connect guest holds one only when an admin mapped
that guest, recorded under the guest's own organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

ANY_ORG = ""  # a mapping that holds in every organisation (rows made before organisations were recorded)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a Slack user from a signed payload, or the command line."""

    user_id: str
    team_id: str = ""
    is_cli: bool = False
    enterprise_id: str = ""
    # The workspace (or Grid organisation) that installed planbot and answered the request, whose
    # plans it sees: '' for a single-token install. Not the person's own organisation: in a Slack
    # Connect channel that is another.
    workspace: str = ""

    @classmethod
    def cli(cls, name: str = "cli") -> Actor:
        return cls(user_id=f"cli:{name}", is_cli=True)

    @property
    def org_id(self) -> str:
        return self.enterprise_id or self.team_id

    @property
    def org_keys(self) -> tuple[str, ...]:
        """The organisations a mapping of this user may be recorded under to be theirs: their
        organisation; their own workspace (Grid mappings made before organisations were recorded
        hold the workspace id); and any organisation."""
        return tuple(dict.fromkeys((self.org_id, self.team_id, ANY_ORG)))
