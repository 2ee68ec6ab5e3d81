"""Console URLs: the venues area. Every view wears roles.staff_required."""

urlpatterns = []
