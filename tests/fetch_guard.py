"""The suite's N+1 guard (Django 6.1 fetch modes).

Every instance a QuerySet loads in a test remembers its peers (the other rows of the same
query). A lazy load of a relation or deferred field on an instance that came with peers is the
N+1 pattern — one query per row of a list — and raises FieldFetchBlocked, naming the field:
add select_related / prefetch_related / only() where the rows are fetched. A lazy load on a
lone instance (get(), first()) is one query and stays allowed."""

import sys

from django.core.exceptions import FieldFetchBlocked
from django.db.models import FETCH_PEERS, query
from django.db.models.fetch_modes import FetchMode

# Libraries whose own loops stringify related rows (simple-history's change list in the admin
# compares old and new foreign keys): their querysets are not ours to select_related, so there
# the peers are fetched together in one query (Django's FETCH_PEERS) instead of raising.
LIBRARY_LOOPS = ("/simple_history/",)


def _called_from_library() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if any(part in name for part in LIBRARY_LOOPS):
            return True
        # Django itself, this module and a model's __str__ sit between the load and its loop.
        if "/django/" not in name and "fetch_guard" not in name and "/models.py" not in name:
            return False
        frame = frame.f_back
    return False


class RaiseOnPeers(FetchMode):
    __slots__ = ()

    track_peers = True

    def fetch(self, fetcher, instance):
        peers = [peer for ref in instance._state.peers if (peer := ref()) is not None]
        if len(peers) > 1 and _called_from_library():
            FETCH_PEERS.fetch(fetcher, instance)
            return
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
