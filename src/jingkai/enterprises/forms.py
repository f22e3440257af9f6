"""Enterprise forms: the edit form (which hands its data to the services) and the list's filter form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import list_filter
from jingkai.core.forms import BootstrapFormMixin, QuickSelect, WorkbookUploadForm, add_css_class
from jingkai.core.money import from_wan, to_wan
from jingkai.enterprises import industry, roll, services
from jingkai.enterprises.choices import COUNTRY_NAMES, EnterpriseStatus
from jingkai.enterprises.models import Enterprise, EnterpriseGroup
from jingkai.grids.models import Community, Grid
from jingkai.parks.models import Building, Park

# Amounts are typed in 万 (as every ledger in the zone keeps them) and stored in base units.
MONEY_IN_WAN = ("registered_capital", "total_investment")
# Only the zone decides an enterprise's identity and which grid or community serves it.
ADMIN_ONLY_ON_EDIT = ("uscc", "uscc_override_reason", "grid", "community")

COUNTRY_CHOICES = [("", "—"), *((code, names[0]) for code, names in COUNTRY_NAMES.items())]


class EnterpriseForm(BootstrapFormMixin, forms.ModelForm):
    """Parses and checks input field by field; the rules and the write belong to services.

    save() calls services.create_enterprise / update_enterprise and puts any ValidationError they
    raise back on the field it names, so a rejected change is shown where it went wrong.
    """

    FIELDSETS = [
        (
            _("Identity"),
            ["uscc", "uscc_override_reason", "name", "short_name", "english_name", "founded_on", "status"],
        ),
        (
            _("Industry and capital"),
            [
                "industry_code",
                "main_products",
                "origin",
                "origin_country",
                "registered_capital",
                "registered_capital_currency",
                "total_investment",
                "total_investment_currency",
            ],
        ),
        (_("Land and staff"), ["land_area_mu", "employees", "technical_staff"]),
        (_("Listing"), ["listing_market", "stock_code", "listed_on"]),
        (_("Location and service"), ["group", "park", "building", "grid", "community", "address"]),
    ]

    # Wider than the stored 18 characters: pasted codes often carry spaces, which the service strips.
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters. Spaces and full-width characters are corrected automatically."),
    )
    industry_code = forms.CharField(
        label=_("Industry code (GB/T 4754)"), max_length=10, required=False, help_text=_("e.g. C3421")
    )
    origin_country = forms.ChoiceField(label=_("Investor country"), choices=COUNTRY_CHOICES, required=False)
    registered_capital = forms.DecimalField(
        label=_("Registered capital (10,000)"), max_digits=20, decimal_places=6, min_value=0, required=False
    )
    total_investment = forms.DecimalField(
        label=_("Total investment (10,000)"), max_digits=20, decimal_places=6, min_value=0, required=False
    )

    class Meta:
        model = Enterprise
        fields = services.EDITABLE_FIELDS
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "listed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "main_products": forms.Textarea(attrs={"rows": 2}),
            "uscc_override_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, data=None, *, user, instance: Enterprise | None = None):
        super().__init__(data, instance=instance)
        self.user = user
        if instance is not None and not user.is_zone_admin:
            for name in ADMIN_ONLY_ON_EDIT:
                del self.fields[name]
        for name in MONEY_IN_WAN:
            amount = getattr(instance, name, None) if instance is not None else None
            if amount is not None:
                self.initial[name] = to_wan(amount)
        self._limit_choices()
        for field in self.fields.values():
            # "—" instead of Django's "---------" for an empty choice, as on the profile page.
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = "—"
            elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", "—"), *field.choices[1:]]

    def _limit_choices(self) -> None:
        choices = {
            "group": EnterpriseGroup.objects.visible_to(self.user),
            "park": Park.objects.visible_to(self.user),
            "building": Building.objects.select_related("park"),  # its label names the park
            "grid": Grid.objects.visible_to(self.user),
            "community": Community.objects.visible_to(self.user),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].queryset = queryset

    @property
    def fieldsets(self):
        """[(legend, [bound fields])] for the fields this user may edit."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.FIELDSETS
        ]

    def clean_registered_capital(self):
        return from_wan(self.cleaned_data["registered_capital"])

    def clean_total_investment(self):
        return from_wan(self.cleaned_data["total_investment"])

    def _post_clean(self):
        # ModelForm would copy the input onto self.instance and validate the model here. The service
        # does both, and it compares the untouched instance with the input to record what changed.
        pass

    def save(self, commit=True) -> Enterprise | None:
        """Create or update through the services; None (and errors on the form) if they refuse."""
        data = dict(self.cleaned_data)
        try:
            if self.instance.pk is None:
                return services.create_enterprise(data, self.user)
            return services.update_enterprise(self.instance, data, self.user)
        except ValidationError as exc:
            self._add_service_errors(exc)
            return None

    def _add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            if name in self.fields:
                self.add_error(name, errors)
            elif name == NON_FIELD_ERRORS:
                self.add_error(None, errors)
            else:
                # A rule about a field this user cannot see (e.g. the code, on an officer's edit).
                label = Enterprise._meta.get_field(name).verbose_name
                for error in errors:
                    for message in error.messages:
                        self.add_error(
                            None, _("%(field)s: %(message)s") % {"field": label, "message": message}
                        )


# ---------------------------------------------------------------------------------------------------
# The list page's filter form is EnterpriseFilterSet's own form; these helpers only turn its free-text
# fields into drop-downs that offer what the user may see.

ALL = [("", _("All"))]


def _contributed_choices(param: str, user) -> list:
    """The choices of a filter another app defines (a ListFilter of the "enterprises" list)."""
    contributed = list_filter("enterprises", param)
    return [] if contributed is None else contributed.choices(user)


def prepare_filter_form(filterset, user, *, years: list[int]) -> list:
    """Give the filter form drop-downs limited to the user's scope; return the fields worth showing."""
    form = filterset.form
    options = {
        "grid": [(g.code, g.name) for g in Grid.objects.visible_to(user)],
        "community": [(c.code, c.name) for c in Community.objects.visible_to(user)],
        "chain": _contributed_choices("chain", user),
        "park": [(p.code, p.name) for p in Park.objects.visible_to(user)],
        # All 97 GB/T 4754 divisions: a fixed list costs no query (scanning the enterprises for the
        # divisions in use took tens of milliseconds per page at 100,000 enterprises).
        "industry": [(code, industry.describe(code)) for code in industry.DIVISION_CODES],
        "year": [(str(y), str(y)) for y in years],
        "status": list(EnterpriseStatus.choices),
    }
    for name, choices in options.items():
        form.fields[name].widget = QuickSelect(choices=ALL + choices)
    for name in ("scale", "origin", "honour"):
        field = form.fields[name]
        field.empty_label = ALL[0][1]
        field.widget = QuickSelect(choices=list(field.choices))
    form.fields["group"].widget = forms.HiddenInput()
    for name, field in form.fields.items():
        if name != "sort" and not isinstance(field.widget, forms.HiddenInput):
            add_css_class(
                field.widget, "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
    if form.is_bound and not form.is_valid():
        for name in form.errors:
            if name in form.fields:
                add_css_class(form.fields[name].widget, "is-invalid")
    # A drop-down with nothing to choose is left out (a community officer sees no grids).
    shown = [
        "q",
        "scale",
        "year",
        "grid",
        "community",
        "chain",
        "origin",
        "industry",
        "honour",
        "park",
        "status",
    ]
    return [form[name] for name in shown if name not in options or options[name]]


class ScaleRollUploadForm(WorkbookUploadForm):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        required=False,
        initial=roll.default_year,
        help_text=_("Blank: last year."),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    complete = forms.BooleanField(
        label=_("The file is the complete list of the year: enterprises not in it leave 规上"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input ms-2"}),
    )
