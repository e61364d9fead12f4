"""Version 1 of the API. A /v2 would be a sibling package registering its own blueprints."""

from . import articles, changes, conditions, embed, feeds, search, site, tags, treatments

MODULES = (articles, conditions, treatments, tags, site, search, feeds, embed, changes)


def register(api) -> None:
    for module in MODULES:
        api.register_blueprint(module.blp)
