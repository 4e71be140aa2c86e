from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from accounts.models import User

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length or 150


class SignInForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length on the field after it is built, which adds no
        # validator: without one an over-long username reached the lockout's database table.
        self.fields["username"].validators.append(MaxLengthValidator(USERNAME_MAX_LENGTH))
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
