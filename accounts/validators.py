from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """A strong password mixes letters with digits or symbols."""

    def validate(self, password: str, user=None) -> None:
        has_letter = any(c.isalpha() for c in password)
        has_other = any(not c.isalpha() for c in password)
        if not (has_letter and has_other):
            raise ValidationError(
                "Your password must contain letters and at least one digit or symbol.",
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return "Your password must contain letters and at least one digit or symbol."
