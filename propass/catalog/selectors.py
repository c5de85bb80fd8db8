from django.db.models import Q, QuerySet

from propass.catalog.models import Dealer, ProductModel


def catalog_search(*, q: str = "") -> QuerySet[ProductModel]:
    products = ProductModel.objects.all()
    for word in q.split()[:5]:
        products = products.filter(Q(name__icontains=word) | Q(code__icontains=word))
    return products.order_by("name")


def dealer_names(*, country: str = "") -> list[str]:
    dealers = Dealer.objects.all()
    if country:
        dealers = dealers.filter(country=country)
    return list(dealers.values_list("name", flat=True)[:500])
