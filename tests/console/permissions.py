"""What each role may reach in the console: a sample request per console URL, with who may have it.

Each console area lists its samples in tests/console/samples_<area>.py as a function
`samples(world) -> list[Sample]`. tests/console/test_permissions.py walks every sample with every role and
fails when a console URL has no sample, so no view escapes the check.
"""

from dataclasses import dataclass, field

# Who asks: not logged in, a staff account without a console role, and the three roles. Venue staff are
# assigned to the world's venue "own"; samples of the venue "other" must refuse them.
ANONYMOUS = "anonymous"
NO_ROLE = "no_role"
CITY_ADMIN = "city_admin"
CALL_CENTRE = "call_centre"
VENUE_STAFF = "venue_staff"
EVERYONE_STAFF = frozenset({CITY_ADMIN, CALL_CENTRE, VENUE_STAFF})
ASKERS = (ANONYMOUS, NO_ROLE, CITY_ADMIN, CALL_CENTRE, VENUE_STAFF)


@dataclass(frozen=True)
class Sample:
    name: str  # the URL name in the console namespace
    kwargs: dict = field(default_factory=dict)
    allowed: frozenset = frozenset()  # roles that get 200; the others must be refused
    query: str = ""  # an optional query string, without "?"
    note: str = ""
    status: int = 200  # what the allowed roles get (302: a step that sends back to an earlier one)

    def url(self) -> str:
        from django.urls import reverse

        path = reverse(f"console:{self.name}", kwargs=self.kwargs)
        return f"{path}?{self.query}" if self.query else path
