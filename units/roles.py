"""The five roles of DESIGN.md §1. Each is a Django group; what a role may do is the group's
model permissions (granted by data migrations), which rows it sees is units.selectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INSPECTORS = "inspectors", _("Inspectors")
    UNIT_HEADS = "unit_heads", _("Unit heads")
    OFFICE_CHIEF = "office_chief", _("Office chief")
    LEADERS = "leaders", _("Leaders")
    ADMINISTRATORS = "administrators", _("Administrators")


# Roles that see every unit of their own Authority.
AUTHORITY_WIDE_ROLES = frozenset(
    {Role.INSPECTORS, Role.OFFICE_CHIEF, Role.LEADERS, Role.ADMINISTRATORS}
)
