"""Names, places and shares for `propass seed-scale`: where the businesses of a large program
are, which language they use, and what their companies and people are called."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    share: int  # in percent of the businesses
    languages: tuple[str, ...]  # the first is the usual one
    cities: tuple[str, ...]
    postal_code: str  # a format with one integer field
    vat_digits: int  # 0: businesses there have no EU VAT number
    phone: str  # the country calling code


COUNTRIES = (
    Country(
        "DE",
        18,
        ("de",),
        ("Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Düsseldorf"),
        "{:05d}",
        9,
        "49",
    ),
    Country("IT", 16, ("it",), ("Milano", "Roma", "Torino", "Bologna", "Firenze", "Napoli"), "{:05d}", 11, "39"),
    Country(
        "GB", 14, ("en",), ("London", "Manchester", "Bristol", "Leeds", "Glasgow", "Brighton"), "SW{:d} 1AA", 9, "44"
    ),
    Country("FR", 13, ("fr",), ("Paris", "Lyon", "Marseille", "Lille", "Bordeaux", "Nantes"), "{:05d}", 11, "33"),
    Country("ES", 11, ("es",), ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"), "{:05d}", 9, "34"),
    Country(
        "NL", 8, ("nl", "en"), ("Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven"), "{:04d} AB", 9, "31"
    ),
    Country("BE", 4, ("nl", "fr"), ("Bruxelles", "Antwerpen", "Gent", "Liège"), "{:04d}", 10, "32"),
    Country("AT", 3, ("de",), ("Wien", "Graz", "Salzburg", "Linz"), "{:04d}", 8, "43"),
    Country("CH", 2, ("de", "fr", "it"), ("Zürich", "Genève", "Basel", "Lugano"), "{:04d}", 0, "41"),
    Country("PL", 3, ("en",), ("Warszawa", "Kraków", "Gdańsk", "Wrocław"), "{:05d}", 10, "48"),
    Country("SE", 2, ("en",), ("Stockholm", "Göteborg", "Malmö"), "{:05d}", 12, "46"),
    Country("PT", 2, ("en", "es"), ("Lisboa", "Porto", "Coimbra"), "{:04d}-001", 9, "351"),
    Country("IE", 2, ("en",), ("Dublin", "Cork", "Galway"), "D{:02d}", 8, "353"),
    Country("DK", 1, ("en",), ("København", "Aarhus", "Odense"), "{:04d}", 8, "45"),
    Country("LU", 1, ("fr", "de"), ("Luxembourg", "Esch-sur-Alzette"), "L-{:04d}", 8, "352"),
)

# First and last names by language (the people of a business mostly share its language).
FIRST_NAMES = {
    "en": ("James", "Olivia", "Harry", "Amelia", "Thomas", "Emily", "Jack", "Sophie", "Daniel", "Grace"),
    "it": ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Alessandro", "Elena", "Davide"),
    "es": ("Lucía", "Javier", "María", "Pablo", "Carmen", "Diego", "Laura", "Sergio", "Ana", "Álvaro"),
    "de": ("Anna", "Lukas", "Lena", "Jonas", "Marie", "Felix", "Julia", "Maximilian", "Katrin", "Stefan"),
    "fr": ("Camille", "Julien", "Léa", "Nicolas", "Manon", "Antoine", "Chloé", "Hugo", "Émilie", "Mathieu"),
    "nl": ("Sanne", "Daan", "Eva", "Bram", "Lotte", "Thijs", "Fleur", "Ruben", "Iris", "Joost"),
}
LAST_NAMES = {
    "en": ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Hughes", "Clarke"),
    "it": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
    "es": ("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch"),
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"),
    "nl": ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos"),
}
# Company names by language: {last} and {other} are family names, {city} the business's city.
COMPANY_NAMES = {
    "en": ("{last} Photography Ltd", "{last} Studios", "{last} & {other} Media", "{city} Press Pictures"),
    "it": ("Studio Fotografico {last}", "{last} Foto", "Foto {city} di {last}", "{last} & {other} Fotografi"),
    "es": ("Estudio {last}", "Fotografía {last} SL", "{last} Imagen", "Audiovisuales {city}"),
    "de": ("Fotostudio {last}", "{last} Fotografie GmbH", "Bildwerk {last}", "{city} Pressebild"),
    "fr": ("Studio {last}", "{last} Photographie SARL", "Atelier {last}", "Images de {city}"),
    "nl": ("Fotostudio {last}", "{last} Fotografie BV", "Beeldwerk {last}", "{city} Persfoto"),
}
STREETS = {
    "en": "{n} High Street",
    "it": "Via Roma {n}",
    "es": "Calle Mayor {n}",
    "de": "Hauptstraße {n}",
    "fr": "{n} rue de la République",
    "nl": "Kerkstraat {n}",
}
# Shops named as the dealer of a registration, by country (members may type any name).
DEALERS = {
    "DE": ("Calumet", "Foto Koch", "CEWE", "Foto Meyer"),
    "IT": ("Foto Milano", "Fotoservice Roma", "Fotocineottica"),
    "GB": ("Park Cameras", "Wex Photo Video", "Jessops"),
    "FR": ("Fnac", "Digit-Photo", "Prophot"),
    "ES": ("Cámara Madrid", "Fotocasión", "El Corte Inglés"),
    "NL": ("Kamera Express", "Foto Konijnenberg", "CameraNU"),
}
OTHER_DEALERS = ("Amazon", "Canon Store", "Local camera shop", "Pro dealer")

# Staff of the scale program: one login per back-office role is printed (the first of each).
STAFF = {
    "validation": (("Vera", "Valente"), ("Viktor", "Vogel"), ("Valérie", "Vidal"), ("Vincent", "Visser")),
    "support": (("Sven", "Sommer"), ("Sofia", "Serra"), ("Stéphane", "Simon"), ("Susan", "Scott")),
    "finance": (("Fiona", "Fischer"), ("Filippo", "Fontana")),
    "program_admin": (("Paula", "Peeters"),),
    "service": (("Selma", "Schulz"), ("Samuel", "Santos"), ("Silvia", "Sala")),
    "auditor": (("Aurelio", "Amato"),),
}
