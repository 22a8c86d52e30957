"""Template tags the GOV.UK component includes use: ``{% load govuk %}``.

Django renders a form field's widget itself; these tags add the GOV.UK classes and the
``aria-describedby`` links to the hint and error message, so ``components/form_field.html``
can lay out label, hint, error and widget in the order the Design System sets.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.paginator import Page
from django.forms import BoundField
from django.http import HttpRequest
from django.utils.safestring import SafeString

from convenor.core.components import Pagination, pagination

register = template.Library()

# The GOV.UK class each kind of widget takes; "checkboxes" and "radios" are laid out by
# the template one option at a time instead.
WIDGET_CLASSES = {
    "input": "govuk-input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
}


@register.filter
def govuk_kind(field: BoundField) -> str:
    """Which GOV.UK component draws this field: input, textarea, select, checkbox,
    checkboxes or radios."""
    widget = field.field.widget
    # CheckboxSelectMultiple is a RadioSelect subclass, so it must be asked first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


def hint_id(field: BoundField) -> str:
    """The hint's id; Django's own convention, so its automatic describedby agrees."""
    return f"{field.auto_id}_helptext"


def error_id(field: BoundField) -> str:
    """The error message's id."""
    return f"{field.auto_id}_error"


@register.filter
def govuk_describedby(field: BoundField) -> str:
    """The ids of the field's hint and error message, for ``aria-describedby``."""
    ids = []
    if field.help_text:
        ids.append(hint_id(field))
    if field.errors:
        ids.append(error_id(field))
    return " ".join(ids)


@register.filter
def govuk_hint_id(field: BoundField) -> str:
    """Template access to :func:`hint_id`."""
    return hint_id(field)


@register.filter
def govuk_error_id(field: BoundField) -> str:
    """Template access to :func:`error_id`."""
    return error_id(field)


@register.filter
def govuk_error_anchor(field: BoundField) -> str:
    """Where an error summary link for this field should land: the first option of a
    checkbox or radio group, else the field itself."""
    if govuk_kind(field) in ("checkboxes", "radios"):
        options = list(field.subwidgets)
        if options:
            return str(options[0].id_for_label)
    return str(field.id_for_label or field.auto_id)


@register.simple_tag
def govuk_widget(field: BoundField, classes: str = "") -> SafeString:
    """Render the field's widget with its GOV.UK class (``--error`` when invalid), any
    extra ``classes`` (e.g. ``govuk-input--width-5``) and ``aria-describedby``."""
    kind = govuk_kind(field)
    base = WIDGET_CLASSES.get(kind, "")
    names = [base]
    if field.errors and kind != "checkbox":
        names.append(f"{base}--error")
    names += [classes, str(field.field.widget.attrs.get("class", ""))]
    attrs: dict[str, Any] = {"class": " ".join(name for name in names if name)}
    describedby = govuk_describedby(field)
    if describedby:
        attrs["aria-describedby"] = describedby
    return field.as_widget(attrs=attrs)


@register.simple_tag
def govuk_pagination(page: Page[Any], request: HttpRequest) -> Pagination | None:
    """The :class:`~convenor.core.components.Pagination` for ``page``, keeping the
    request's other query parameters in every link."""
    return pagination(page, request.GET)
