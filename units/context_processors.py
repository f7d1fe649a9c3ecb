from django.utils.functional import SimpleLazyObject

from units.selectors import staff_of


def current_staff(request) -> dict:
    """The logged-in user's Staff record (cached per request by the selector) and, lazily, the
    number of unread notifications for the bell."""
    user = getattr(request, "user", None)

    def unread() -> int:
        if not getattr(user, "is_authenticated", False):
            return 0
        return user.notifications.unread().count()

    return {"current_staff": staff_of(user), "unread_notifications": SimpleLazyObject(unread)}
