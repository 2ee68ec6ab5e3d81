from .permissions import CITY_ADMIN, Sample


def samples(world):
    return [Sample("integrations", allowed=frozenset({CITY_ADMIN})),
            Sample("integrations_webhooks", allowed=frozenset({CITY_ADMIN}))]
