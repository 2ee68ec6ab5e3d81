"""Notices (city admins): the list with each one's status, writing, scheduling and withdrawing."""

from __future__ import annotations

from django.contrib import messages
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Notice
from yoyaku.web.pages import page

from .common import actor, admin_only, notice_status
from .forms import NoticeForm, NoticeWithdrawForm

# The optional languages, each named in itself (as the language switch of the resident site names them).
OTHER_LANGUAGES = (("en", "English"), ("zh_hans", "中文"), ("ko", "한국어"))


def missing_languages(notice: Notice) -> list[str]:
    """The languages with no title or no text: residents reading them see the Japanese."""
    return [name for code, name in OTHER_LANGUAGES
            if not (getattr(notice, f"title_{code}") and getattr(notice, f"body_{code}"))]


@admin_only
@require_GET
def notices_view(request):
    now = timezone.now()
    notices = [{"notice": n, "status": notice_status(n, now), "missing": missing_languages(n)}
               for n in Notice.objects.order_by("-publish_from", "-pk")]
    return page(request, "console/setup/notices.html", {"notices": notices})


def _notice_form(request, notice: Notice | None):
    editing = notice is not None
    if editing:
        initial = model_to_dict(notice, fields=[*NoticeForm.TEXT_FIELDS, "publish_from", "publish_until"])
    else:
        initial = {"publish_from": timezone.now().replace(second=0, microsecond=0)}
    form = NoticeForm(request.POST if request.method == "POST" else None, initial=initial, editing=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.notice_save(actor=actor(request), notice=notice, texts=form.texts(),
                                 publish_from=data["publish_from"], publish_until=data["publish_until"],
                                 reason=data.get("reason", ""))
        except BookingError as error:
            form.add_domain_error(error, form.FIELDS_BY_CODE)
        else:
            messages.success(request, _("The notice is saved."))
            return redirect("console:setup_notices")
    context = {"form": form, "notice": notice, "missing": missing_languages(notice) if editing else [],
               "status": notice_status(notice, timezone.now()) if editing else None}
    return page(request, "console/setup/notice_form.html", context, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def notice_new_view(request):
    return _notice_form(request, None)


@admin_only
@require_http_methods(["GET", "POST"])
def notice_edit_view(request, notice_id: int):
    return _notice_form(request, get_object_or_404(Notice, pk=notice_id))


@admin_only
@require_http_methods(["GET", "POST"])
def notice_withdraw_view(request, notice_id: int):
    notice = get_object_or_404(Notice, pk=notice_id)
    form = NoticeWithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_withdraw(actor=actor(request), notice=notice, reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The notice is withdrawn: residents no longer see it."))
            return redirect("console:setup_notices")
    context = {"notice": notice, "status": notice_status(notice, timezone.now()), "form": form}
    return page(request, "console/setup/notice_withdraw.html", context, forms=[form])
