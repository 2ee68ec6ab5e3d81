"""`{{ event|action_label }}` and `{% audit_details event %}`: audit events in words (console.audit_labels)."""

from django import template

from .. import audit_labels

register = template.Library()


@register.filter
def action_label(event) -> str:
    return audit_labels.action_label(getattr(event, "action", event))


@register.inclusion_tag("console/audit_details.html")
def audit_details(event):
    return {"rows": audit_labels.details(event.data)}
