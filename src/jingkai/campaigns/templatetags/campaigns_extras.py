from django import template

register = template.Library()


@register.filter
def average(bucket, key):
    """{{ bucket|average:field.key }}: the bucket's average of a numeric field, or None."""
    return bucket.average(key)
