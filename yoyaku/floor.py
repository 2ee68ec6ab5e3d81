"""The framework floor for the benchmarks: the cheapest answer Django gives through our middleware.

Mounted at /bench/floor/ only when YOYAKU_BENCH_FLOOR is set (bench/rush sets it for its server).
"""

from django.http import HttpResponse


def floor_view(request):
    return HttpResponse(b"ok", content_type="text/plain")


class ServerCpuMiddleware:
    """Benchmarks only (YOYAKU_BENCH_FLOOR): report the CPU time this thread spent on the request in an
    `X-Cpu-Ms` header, so the load generator can give each page's cost as a ratio to the floor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        started = time.thread_time()
        response = self.get_response(request)
        response["X-Cpu-Ms"] = f"{1000 * (time.thread_time() - started):.3f}"
        return response
