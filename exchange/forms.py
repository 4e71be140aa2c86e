from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from exchange.formats import FILE_NAMES

# The largest file the upload page takes. The importer reads any size a chunk at a time
# (import_programme takes files of any size), but an upload is one request through the web
# server and lands on the server's disk before a worker reads it: a national load is a
# file on the server, imported by the command, not a browser's upload.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, as Django's documentation shows."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        # Nothing chosen arrives as an empty list: clean None so "required" is enforced.
        return [single(data or None, initial)]


class UploadForm(forms.Form):
    # Not "files": that is the form's own attribute for request.FILES.
    programme_files = MultipleFileField(
        label="Programme files",
        help_text="Choose one or more of: "
        + ", ".join(FILE_NAMES)
        + ". Files you leave out are not changed.",
    )

    def clean_programme_files(self) -> dict:
        by_name = {}
        for upload in self.cleaned_data["programme_files"]:
            name = upload.name
            if name not in FILE_NAMES:
                raise ValidationError(
                    f"“{name}” is not one of the programme files. Name each file as the "
                    "format describes: " + ", ".join(FILE_NAMES) + "."
                )
            if name in by_name:
                raise ValidationError(f"{name} was chosen twice.")
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError(
                    f"{name} is larger than {filesizeformat(MAX_UPLOAD_BYTES)}: split the "
                    "import, or ask for it to be imported on the server (import_programme)."
                )
            by_name[name] = upload
        return by_name
