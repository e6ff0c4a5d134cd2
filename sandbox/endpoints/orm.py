"""Sandbox endpoints for the orm track (mounted under /sandbox/orm/).

The sales report is a real download: GET with validated parameters, the rows
from the same named querysets the lesson shows, written as CSV.
"""

from __future__ import annotations

import csv

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from ..queries_orm import best_seller_per_store, revenue_per_publisher_per_month

REPORTS = {
    # name -> (queryset function, CSV header, how to read one row)
    "revenue": (
        revenue_per_publisher_per_month,
        ["month", "publisher", "units", "revenue", "rank_in_month"],
        lambda r: [r["month"].strftime("%Y-%m"), r["publisher"], r["units"], r["revenue"], r["rank_in_month"]],
    ),
    "best-sellers": (
        best_seller_per_store,
        ["store", "best_seller", "units"],
        lambda s: [s.name, s.best_seller or "", s.units or 0],
    ),
}


class SalesReportParams(forms.Form):
    report = forms.ChoiceField(choices=[(name, name) for name in REPORTS])
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)

    def clean(self):
        data = super().clean()
        # Best sellers are counted over all time; a year would be silently ignored, so refuse it.
        if data.get("report") == "best-sellers" and data.get("year") is not None:
            self.add_error("year", "Only the revenue report can be limited to a year.")
        return data


@require_GET
def sales_report_csv(request: HttpRequest) -> HttpResponse:
    params = SalesReportParams(request.GET)
    if not params.is_valid():
        problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in params.errors.items())
        return HttpResponse(f"Bad parameters. {problems}\n", status=400, content_type="text/plain; charset=utf-8")
    name, year = params.cleaned_data["report"], params.cleaned_data["year"]
    query, header, row = REPORTS[name]
    rows = query(year) if name == "revenue" else query()
    filename = f"sales-{name}{f'-{year}' if year else ''}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for item in rows:
        writer.writerow(row(item))
    return response


urlpatterns = [
    path("sales-report.csv", sales_report_csv, name="orm-sales-report"),
]
