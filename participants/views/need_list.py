"""The programme's managed list of needs, kept by programme leads."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from participants.models import Need
from participants.services import need_save
from practices.roles import programme_required


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["name", "domain", "active"]


@programme_required
def need_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "participants/need_list.html", {"needs": Need.objects.all()})


@programme_required
@require_http_methods(["GET", "POST"])
def need_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    need = get_object_or_404(Need, pk=pk) if pk else None
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        need = need_save(user=request.user, request=request, need=form.save(commit=False))
        messages.success(request, f"Saved “{need.name}”.")
        return redirect("needs:list")
    return render(request, "participants/need_form.html", {"form": form, "need": need})
