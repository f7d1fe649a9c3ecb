"""The suite's N+1 guard (Django 6.1 fetch modes).

Every instance a QuerySet loads in a test remembers its peers (the other rows of the same
query). A lazy load of a relation or deferred field on an instance that came with peers is the
N+1 pattern — one query per row of a list — and raises FieldFetchBlocked, naming the field:
add select_related / prefetch_related / only() where the rows are fetched. A lazy load on a
lone instance (get(), first()) is one query and stays allowed."""

from django.core.exceptions import FieldFetchBlocked
from django.db.models import query
from django.db.models.fetch_modes import FetchMode


class RaiseOnPeers(FetchMode):
    __slots__ = ()

    track_peers = True

    def fetch(self, fetcher, instance):
        peers = [peer for ref in instance._state.peers if (peer := ref()) is not None]
        if len(peers) > 1:
            raise FieldFetchBlocked(
                f"N+1: {instance.__class__.__qualname__}.{fetcher.field.name} loaded lazily "
                f"for one of {len(peers)} rows; select or prefetch it with the rows."
            )
        fetcher.fetch_one(instance)

    def __reduce__(self):
        return "RAISE_ON_PEERS"


RAISE_ON_PEERS = RaiseOnPeers()


def install() -> None:
    """Make RAISE_ON_PEERS the default fetch mode of every QuerySet created from now on."""
    query.DEFAULT_FETCH_MODE = RAISE_ON_PEERS
