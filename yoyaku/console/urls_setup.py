"""Console URLs: the setup area. Every view wears roles.staff_required."""

urlpatterns = []
