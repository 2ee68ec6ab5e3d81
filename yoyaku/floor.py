"""The framework floor for the benchmarks: the cheapest answer Django gives through our middleware.

Mounted at /bench/floor/ only when YOYAKU_BENCH_FLOOR is set (bench/rush sets it for its server).
"""

from django.http import HttpResponse


def floor_view(request):
    return HttpResponse(b"ok", content_type="text/plain")
