"""/v1/articles: the clinic's articles, filterable by tag, condition and treatment."""

from schemas.queries import ArticleListArgs

from .entries import entry_blueprint

blp = entry_blueprint("article", ArticleListArgs, "Articles about conditions and treatments.")
