from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from accounts.decorators import organizer_required
from announcements.domain import list_announcements, post_announcement, render_markdown
from announcements.forms import AnnouncementForm
from announcements.models import Announcement
from announcements.tasks import post_to_discord_task
from challenges.shortcuts import require_edition

PAGE_SIZE = 10
ORGANIZE_PAGE_SIZE = 50


def announcement_list(request):
    edition = require_edition(request)
    page = Paginator(list_announcements(edition=edition), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for announcement in page:
        announcement.html = render_markdown(announcement.body)
    return render(request, "announcements/list.html", {"page": page})


def announcement_detail(request, pk: int):
    edition = require_edition(request)
    announcement = get_object_or_404(list_announcements(edition=edition), pk=pk)
    announcement.html = render_markdown(announcement.body)
    return render(request, "announcements/detail.html", {"announcement": announcement})


class AnnouncementFeed(Feed):
    """The edition's announcements as an Atom feed, in the reader's language."""

    feed_type = Atom1Feed
    description_template = None

    def get_object(self, request):
        self.request = request
        return require_edition(request)

    def title(self, edition):
        return _("%(edition)s: announcements") % {"edition": edition.name}

    def subtitle(self, edition):
        return edition.tagline

    def link(self, edition):
        return reverse("announcements:list")

    def items(self, edition):
        return list_announcements(edition=edition)[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return render_markdown(item.body)

    def item_link(self, item):
        return reverse("announcements:detail", args=[item.pk])

    def item_guid(self, item):
        return f"announcement-{item.pk}@{item.edition_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


@organizer_required
def organize_announcements(request):
    edition = require_edition(request)
    form = AnnouncementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        site_url = request.build_absolute_uri("/")
        announcement = post_announcement(
            edition=edition,
            by=request.user,
            values=form.cleaned_data,
            to_discord=bool(settings.DISCORD_WEBHOOK_URL),
            enqueue=lambda pk: post_to_discord_task.delay(pk, site_url),
        )
        messages.success(
            request,
            _("Announcement “%(title)s” posted.") % {"title": announcement.title},
        )
        return redirect("announcements:organize")
    posted = Announcement.objects.filter(edition=edition).select_related("posted_by")
    page = Paginator(posted, ORGANIZE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "announcements/organize.html",
        {
            "form": form,
            "page": page,
            "discord_configured": bool(settings.DISCORD_WEBHOOK_URL),
        },
        status=400 if form.errors else 200,
    )
