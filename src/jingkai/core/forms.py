"""Form helpers shared by every app: Bootstrap 5 classes on widgets, and the sign-in form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import bounds


def widget_css_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


class BootstrapFormMixin:
    """Give each widget its Bootstrap class, and mark a field with an error as invalid.

    It also puts the input bounds of `core.bounds` on every field (no control or direction-override character
    in a text, dates between 1900 and 2100, decimals both databases keep exactly).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            add_css_class(field.widget, widget_css_class(field.widget))
            name_empty_choice(field)
        bounds.guard_form(self)

    def add_error(self, field, error):
        super().add_error(field, error)
        # add_error is also how errors found after validation (by a service) reach the form.
        names = error.error_dict.keys() if field is None and hasattr(error, "error_dict") else [field]
        for name in names:
            if name in self.fields:
                add_css_class(self.fields[name].widget, "is-invalid")


DASHES = "---------"  # Django's blank choice (BLANK_CHOICE_DASH, ModelChoiceField.empty_label)


def name_empty_choice(field: forms.Field) -> None:
    """A select's blank choice says what it means (请选择) instead of Django's "---------"."""
    if getattr(field, "empty_label", None) == DASHES:
        field.empty_label = gettext_lazy("(choose)")
    choices = getattr(field, "choices", None)
    if isinstance(choices, list) and any(label == DASHES for _value, label in choices):
        field.choices = [
            (value, gettext_lazy("(choose)") if label == DASHES else label) for value, label in choices
        ]


def add_css_class(widget: forms.Widget, css_class: str) -> None:
    classes = widget.attrs.get("class", "").split()
    if css_class not in classes:
        widget.attrs["class"] = " ".join([*classes, css_class])


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autofocus"] = True


class QuickSelect(forms.Select):
    """A single-choice <select> rendered in Python instead of one template render per <option>.

    The enterprise filter form offers ~150 options; through Django's widget templates they cost more
    than every SQL query of the list page together (measured with benchmarks/pages.py).
    """

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join

        selected = "" if value is None else str(value)
        final_attrs = self.build_attrs(self.attrs, attrs or {})
        final_attrs["name"] = name
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(key), " selected" if str(key) == selected else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class WorkbookUploadForm(forms.Form):
    """The upload step of every importer: the size limit and core.importing's file checks (a real workbook, no zip
    bomb, not too many cells) run before anything is stored; the bytes are kept in `self.content`."""

    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx, .xls or .csv)"))

    def clean_file(self):
        from jingkai.core import importing

        upload = self.cleaned_data["file"]
        limit = settings.JINGKAI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(max)s MB may be imported at once")
                % {"size": number_format(upload.size / 2**20, 1), "max": number_format(limit / 2**20, 1)}
            )
        self.content = upload.read()
        problems = importing.check_file(self.content, upload.name)
        if problems:
            raise forms.ValidationError([p.reason for p in problems])
        return upload


class RoleForm(BootstrapFormMixin, forms.Form):
    """The security administrator's change of one user's role (core.accounts.change_role)."""

    role = forms.ChoiceField(label=gettext_lazy("Role"))

    def __init__(self, *args, **kwargs):
        from jingkai.core.models import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices
