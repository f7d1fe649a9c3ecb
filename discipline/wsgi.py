"""WSGI entry point for gunicorn: gunicorn discipline.wsgi."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "discipline.settings")
application = get_wsgi_application()
