"""Dynamon: roster generation for Norwegian health and care services.

The engine (``dynamon.roster``) is a plain library; the web app lives in
``dynamon.web`` and is only imported when an app is created, so the engine and the
solve workers never load Flask.
"""


def create_app(config=None):
    """Create the Flask app (see dynamon.web.create_app)."""
    from dynamon.web import create_app as factory

    return factory(config)
