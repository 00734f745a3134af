"""Organizers' pages about the Hub sync."""

from django.shortcuts import render

from accounts.decorators import organizer_required


@organizer_required
def sync_overview(request):
    return render(request, "hub/sync.html", {})
