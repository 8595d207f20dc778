"""The resources routers receive, each declared once as an `Annotated` alias (the FastAPI
full-stack template's pattern): no router reaches into `app.state` itself. They are `async`:
reading `app.state` does not block, and a sync dependency costs each request a thread-pool trip."""

from typing import Annotated

from fastapi import Depends, Request

from app.infrastructure.stores.contract import Store
from app.settings import Settings


async def get_store(request: Request) -> Store:
    """The application's store, opened once by `create_app`."""
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


async def get_app_settings(request: Request) -> Settings:
    """The settings the application was created with."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
