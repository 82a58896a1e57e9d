"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from config import config_for_environment
from directory import create_app

app = create_app(config_for_environment())
