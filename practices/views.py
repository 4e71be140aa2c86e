from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linksworker.decorators import programme_required
from practices.selectors import practices_with_figures


@programme_required
def practice_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "practices/list.html",
        {"practices": practices_with_figures(user=request.user)},
    )
