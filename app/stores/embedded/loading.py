"""Loading part of the embedded store (placeholder: its owner fills it in)."""


class LoadingMixin:
    pass
