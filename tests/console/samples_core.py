from .permissions import EVERYONE_STAFF, Sample


def samples(world):
    return [Sample("home", allowed=EVERYONE_STAFF)]
