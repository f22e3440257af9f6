"""The demand filing form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from jingkai.core.forms import BootstrapFormMixin
from jingkai.core.models import Role
from jingkai.demands.choices import STAFF_CHANNELS, Channel
from jingkai.demands.models import DemandCategory
from jingkai.enterprises.models import Enterprise


class DemandForm(BootstrapFormMixin, forms.Form):
    """Styled by BootstrapFormMixin, which also names the selects' blank choice (no "---------")."""

    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=gettext_lazy("Enterprise"))
    category = forms.ModelChoiceField(queryset=DemandCategory.objects.none(), label=gettext_lazy("Category"))
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=30, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)
        self.fields["category"].queryset = DemandCategory.objects.active().select_related("parent")
        if user.role == Role.ENTERPRISE:
            self.fields["channel"].choices = [(Channel.PORTAL.value, Channel.PORTAL.label)]
            self.fields["channel"].initial = Channel.PORTAL.value
            contact = getattr(user, "enterprise_contact", None)
            if contact is not None:
                self.fields["enterprise"].initial = contact.enterprise_id
        else:
            self.fields["channel"].choices = [(c.value, c.label) for c in STAFF_CHANNELS]
