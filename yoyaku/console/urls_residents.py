"""Console URLs: the residents area. Every view wears roles.staff_required."""

urlpatterns = []
