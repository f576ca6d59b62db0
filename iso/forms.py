"""Forms every app shares."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Signature
from .signatures import SignatureRequest


class SignatureForm(forms.Form):
    """The electronic signature posted with a signed action: the password again, and the meaning.

    Its fields are prefixed ``signature_`` so that they sit in the same form, and the same POST,
    as the action they sign.
    """

    signature_password = forms.CharField(
        label=_("Your password, to sign"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )
    signature_meaning = forms.ChoiceField(label=_("Meaning of your signature"), choices=Signature.Meaning.choices, required=False)

    def request(self) -> SignatureRequest | None:
        """What was posted, or None when no password came with the action (the service says why that
        is refused for a signed action)."""
        if not self.is_valid() or not self.cleaned_data["signature_password"]:
            return None
        return SignatureRequest(
            password=self.cleaned_data["signature_password"], meaning=self.cleaned_data["signature_meaning"]
        )


def signature_request(data) -> SignatureRequest | None:
    """The signature posted in ``data`` (request.POST), or None."""
    return SignatureForm(data).request()


class ActionTransitionForm(forms.Form):
    """A lifecycle transition of one tracked action (iso.actions), posted from its row of a page."""

    action = forms.IntegerField(widget=forms.HiddenInput)
    transition = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransitionForm(forms.Form):
    """A transition pressed on a page, with the comment some transitions ask for."""

    transition = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
