from django import template

from clipdesk.digest.credits import group_credits
from clipdesk.digest.models import Post

register = template.Library()


@register.inclusion_tag("digest/includes/source_line.html")
def source_line(post: Post, linked: bool = False) -> dict:
    """The credits of a post, grouped as the digest writes them; links on the post page."""
    return {"groups": group_credits(post.credits.all()), "linked": linked}
