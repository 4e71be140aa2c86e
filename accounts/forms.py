from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def get_invalid_login_error(self) -> ValidationError:
        # Set by the per-address limit on failed sign-ins (audit.signin).
        minutes = getattr(self.request, "sign_in_refused_minutes", None)
        if minutes:
            return ValidationError(
                "There have been too many failed sign-ins from your network. Try again in "
                f"{minutes} minutes, or ask your administrator.",
                code="address_limited",
            )
        return super().get_invalid_login_error()
