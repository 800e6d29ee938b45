"""An article's authors, as the admin keeps them: a list of names, or refused in words."""

import pytest
from django.core.exceptions import ValidationError

from clipdesk.articles.models import Article


@pytest.mark.parametrize("authors", ["Ines Brackwater", 5, {"name": "Ines"}, ["Ines", None]])
def test_authors_that_are_not_a_list_of_names_are_refused(authors):
    with pytest.raises(ValidationError, match="a list of names"):
        Article(authors=authors).clean()


def test_authors_are_kept_stripped_once_each():
    article = Article(authors=[" Ines Brackwater ", "Ines Brackwater", " ", "Tom Reed"])
    article.clean()
    assert article.authors == ["Ines Brackwater", "Tom Reed"]
