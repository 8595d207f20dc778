"""The resources routers receive, each declared once as an `Annotated` alias (the FastAPI
full-stack template's pattern): no router reaches into `app.state` itself."""

from typing import Annotated

from fastapi import Depends, Request

from app.infrastructure.stores.contract import Store
from app.settings import Settings


def get_store(request: Request) -> Store:
    """The application's store, opened once by `create_app`."""
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
