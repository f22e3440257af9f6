"""Page forms of campaigns. The rules live in forms_def.py and services.py; these only collect input."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.campaigns.forms_def import FIELD_TYPES
from jingkai.campaigns.models import CampaignKind, ScopeKind
from jingkai.chains.models import Chain
from jingkai.core import uscc as uscc_rules
from jingkai.core.forms import BootstrapFormMixin
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import Grid

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TYPE_ALIASES = {
    "文本": "text",
    "数字": "number",
    "数值": "number",
    "百分比": "percent",
    "选择": "choice",
    "单选": "choice",
    "是否": "boolean",
}
REQUIRED_WORDS = {"必填", "required", "是", "y", "yes"}
FORM_HELP = gettext_lazy(
    "One field per line: label | type | 必填 | choices separated by /. Types: 文本 (text), 数字 (number), "
    "百分比 (percent), 选择 (choice), 是否 (yes/no). Example: 生产经营状态 | 选择 | 必填 | 正常生产/部分复工/停产"
)


def parse_form_lines(text: str) -> list[dict]:
    """The form definition written one field per line, as a list for forms_def.validate_form."""
    fields = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        parts += [""] * (4 - len(parts))
        kind = TYPE_ALIASES.get(parts[1], parts[1].lower())
        field = {"label": parts[0], "type": kind, "required": parts[2].lower() in REQUIRED_WORDS}
        if parts[3]:
            field["choices"] = parts[3].replace("、", "/").split("/")
        fields.append(field)
    return fields


def form_lines(form: list[dict]) -> str:
    labels = {v: k for k, v in reversed(TYPE_ALIASES.items())}
    return "\n".join(
        " | ".join(
            [
                f["label"],
                labels.get(f["type"], f["type"]),
                "必填" if f["required"] else "",
                "/".join(f.get("choices", [])),
            ]
        ).rstrip(" |")
        for f in form
    )


class CampaignForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CampaignKind.choices)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=DATE_INPUT)
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=DATE_INPUT)
    scope_kind = forms.ChoiceField(label=gettext_lazy("Scope"), choices=ScopeKind.choices)
    scope_above_size_only = forms.BooleanField(
        label=gettext_lazy("Above designated size only"), required=False
    )
    scope_grids = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Grids"), queryset=Grid.objects.filter(is_active=True), required=False
    )
    scope_chain = forms.ModelChoiceField(
        label=gettext_lazy("Industry chain"), queryset=Chain.objects.all(), required=False
    )
    scope_enterprises = forms.CharField(
        label=gettext_lazy("Enterprises"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=gettext_lazy("For an explicit list: one unified social credit code or full name per line."),
    )
    form_text = forms.CharField(
        label=gettext_lazy("Form"), widget=forms.Textarea(attrs={"rows": 6}), help_text=FORM_HELP
    )

    def clean_scope_enterprises(self):
        text = self.cleaned_data.get("scope_enterprises") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return []
        codes = {uscc_rules.normalize(line): line for line in lines}
        found = {}
        for row in Enterprise.objects.filter(uscc__in=list(codes)) | Enterprise.objects.filter(
            name__in=lines
        ):
            found[row.uscc] = row
            found[row.name] = row
        missing = [
            _("Line %(n)d: no enterprise “%(value)s”.") % {"n": n, "value": line}
            for n, line in enumerate(lines, start=1)
            if line not in found and uscc_rules.normalize(line) not in found
        ]
        if missing:
            raise ValidationError(missing)
        chosen = {}
        for line in lines:
            row = found.get(line) or found[uscc_rules.normalize(line)]
            chosen[row.pk] = row
        return list(chosen.values())

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["form"] = parse_form_lines(data.pop("form_text"))
        return data

    def add_service_errors(self, exc: ValidationError, definition: list[dict]) -> None:
        for key, messages in exc.message_dict.items():
            if key.startswith("form"):
                parts = key.split(".")
                if len(parts) >= 2 and parts[1].isdigit():
                    index = int(parts[1])
                    label = definition[index].get("label", "") if index < len(definition) else ""
                    messages = [
                        _("Line %(n)d (%(label)s): %(msg)s") % {"n": index + 1, "label": label, "msg": m}
                        for m in messages
                    ]
                self.add_error("form_text", messages)
            else:
                self.add_error(key if key in self.fields else None, messages)


def answer_form_class(definition: list[dict]):
    """A form rendering the campaign's fields; validation is forms_def.validate_answers'."""
    fields = {}
    for item in definition:
        label = item["label"] + (" *" if item["required"] else "")
        if item["type"] == "choice":
            field = forms.ChoiceField(
                label=label, required=False, choices=[("", "—")] + [(c, c) for c in item["choices"]]
            )
        elif item["type"] == "boolean":
            field = forms.ChoiceField(
                label=label, required=False, choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]
            )
        elif item["type"] == "text":
            field = forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}))
        else:
            field = forms.CharField(
                label=label,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                help_text=_("0–100") if item["type"] == "percent" else "",
            )
        fields[item["key"]] = field
    return type("AnswerForm", (BootstrapFormMixin, forms.Form), fields)


class GuideForm(BootstrapFormMixin, forms.Form):
    guide = forms.ModelChoiceField(
        label=gettext_lazy("On-site guidance officer"), queryset=None, required=False
    )

    def __init__(self, *args, **kwargs):
        from jingkai.core.models import staff_users

        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = staff_users()


__all__ = ["FIELD_TYPES", "CampaignForm", "GuideForm", "answer_form_class", "parse_form_lines"]
