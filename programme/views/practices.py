from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest, month_dates, url_maker
from accounts.rows import render_rows
from practices.access import practices_visible_to
from practices.roles import programme_required
from practices.services import practice_leave, practice_save
from programme.forms import PracticeForm, PracticeLeaveForm
from reports.dashboards import practice_comparison_page


@programme_required
def practice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The programme's practices with who works there and their caseloads, for the lead."""
    page, rows = practice_comparison_page(user=request.user, page=request.GET.get("page"))
    # Each row's link, dates and labels once a page rather than by tags in every row.
    edit = url_maker("practices:edit")
    month = month_dates()
    for row in rows:
        practice = row.practice
        practice.edit_url = edit(practice.pk)  # type: ignore[attr-defined]
        practice.joined_label = month(practice.joined_on)  # type: ignore[attr-defined]
        practice.left_label = practice.left_on and month(practice.left_on)  # type: ignore[attr-defined]
    return render(
        request,
        "practices/list.html",
        {
            "practices": rows,
            "rows": render_rows("practices/list_rows.jinja", {"practices": rows}),
            "page": page,
        },
    )


@programme_required
@require_http_methods(["GET", "POST"])
def practice_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    practice = get_object_or_404(practices_visible_to(request.user), pk=pk) if pk else None
    form = PracticeForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        try:
            saved = practice_save(
                user=request.user, request=request, practice=form.save(commit=False)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("practices:list")
    return render(request, "programme/practice_form.html", {"form": form, "practice": practice})


@programme_required
@require_http_methods(["GET", "POST"])
def practice_left(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    practice = get_object_or_404(practices_visible_to(request.user), pk=pk, left_on=None)
    form = PracticeLeaveForm(request.POST or None, practice=practice)
    if request.method == "POST" and form.is_valid():
        try:
            practice_leave(
                user=request.user,
                request=request,
                practice=practice,
                on=form.cleaned_data["left_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{practice.name} has left the programme.")
            return redirect("practices:list")
    return render(request, "programme/practice_leave.html", {"form": form, "practice": practice})
