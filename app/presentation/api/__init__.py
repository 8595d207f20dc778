"""The REST API: an app factory (`app.presentation.api.main.create_app`) and one router module
per concern."""
