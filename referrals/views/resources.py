"""The directory of community resources: search, read, add, edit, deactivate."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest, url_maker
from accounts.params import int_param
from accounts.rows import render_rows
from practices.roles import directory_required, maintainer_required, roles_of
from referrals.access import can_maintain_resources
from referrals.forms import ResourceForm, add_service_error
from referrals.models import CommunityResource
from referrals.selectors import (
    category_choices,
    resource_areas,
    resource_directory_pages,
    resource_with_figures,
)
from referrals.services import resource_save, resource_set_active
from referrals.views.common import query_without_page


@directory_required
def resource_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    params = request.GET
    can_maintain = can_maintain_resources(request.user)
    include_inactive = can_maintain and params.get("inactive") == "1"
    listing = resource_directory_pages(
        search=params.get("q", "")[:200],
        category_id=int_param(params.get("category")),
        area=params.get("area", "")[:100],
        include_inactive=include_inactive,
    )
    page = Paginator(listing, settings.LINKS_PAGE_SIZE).get_page(params.get("page"))
    detail = url_maker("resources:detail")  # one reverse a page, not one a row
    for resource in page.object_list:
        resource.detail_url = detail(resource.pk)  # type: ignore[attr-defined]
    filters = {
        "q": params.get("q", ""),
        "category": int_param(params.get("category")),
        "categories": category_choices(),
        "area": params.get("area", ""),
        "areas": resource_areas(),
        "include_inactive": include_inactive,
        "can_maintain": can_maintain,
    }
    return render(
        request,
        "referrals/resources/list.html",
        {
            **filters,
            "filters": render_rows("referrals/resources/list_filters.jinja", filters),
            "rows": render_rows("referrals/resources/list_rows.jinja", {"rows": page.object_list}),
            "page": page,
            "can_refer": roles_of(request.user).is_clp,
            "querystring": query_without_page(request),
        },
    )


@directory_required
def resource_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        resource = resource_with_figures(pk=pk)
    except CommunityResource.DoesNotExist:
        raise Http404("No such service.") from None
    return render(
        request,
        "referrals/resources/detail.html",
        {
            "resource": resource,
            "can_maintain": can_maintain_resources(request.user),
            "can_refer": roles_of(request.user).is_clp and resource.active,
        },
    )


@maintainer_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    resource = get_object_or_404(CommunityResource, pk=pk) if pk else None
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            saved = resource_save(
                user=request.user,
                request=request,
                resource=form.save(commit=False),
                categories=form.cleaned_data["categories"],
                changed=form.changed_data,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect("resources:detail", pk=saved.pk)
    return render(request, "referrals/resources/form.html", {"form": form, "resource": resource})


@maintainer_required
@require_http_methods(["GET", "POST"])
def resource_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm, then deactivate (or reactivate) a service. Services are never deleted."""
    resource = get_object_or_404(CommunityResource, pk=pk)
    if request.method == "POST":
        try:
            resource_set_active(
                user=request.user, request=request, resource=resource, active=not resource.active
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if resource.active:
                messages.success(request, f"“{resource.name}” is taking referrals again.")
            else:
                messages.success(
                    request,
                    f"“{resource.name}” is inactive: it stays on past referrals but takes no "
                    "new ones.",
                )
        return redirect("resources:detail", pk=resource.pk)
    return render(request, "referrals/resources/active.html", {"resource": resource})
