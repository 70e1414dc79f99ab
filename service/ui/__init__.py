"""The QA web UI: server-rendered pages (Jinja2), one stylesheet and a little vanilla JavaScript."""
