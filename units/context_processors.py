from units.selectors import staff_of


def current_staff(request) -> dict:
    """The Staff record of the logged-in user (cached per request by the selector)."""
    return {"current_staff": staff_of(getattr(request, "user", None))}
