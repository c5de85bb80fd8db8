"""The canned replies a fresh installation starts with (the data migration and `propass
setup` add them when there are none); afterwards the back office edits them."""

CANNED_REPLIES = [
    ("en", "We are on it",
     "Thank you for contacting CPS Priority Support. We are looking into your request and will get back to you "
     "as soon as possible."),
    ("en", "More details needed",
     "Thank you for your message. To help you we need a little more information: please reply with the product's "
     "serial number and, if you have it, a copy of the purchase invoice (PDF, JPEG or PNG)."),
    ("en", "Old CPS account linked",
     "We have linked your old CPS account to your business. Open My products and press Migrate products to bring "
     "your registered products over."),
    ("it", "Ce ne stiamo occupando",
     "Grazie per aver contattato CPS Priority Support. Stiamo esaminando la tua richiesta e ti risponderemo il "
     "prima possibile."),
    ("it", "Servono più dettagli",
     "Grazie per il messaggio. Per aiutarti ci servono alcune informazioni in più: rispondi indicando il numero di "
     "serie del prodotto e, se ce l'hai, una copia della fattura d'acquisto (PDF, JPEG o PNG)."),
    ("it", "Vecchio account CPS collegato",
     "Abbiamo collegato il tuo vecchio account CPS alla tua azienda. Apri I miei prodotti e premi Esegui la "
     "migrazione dei prodotti per trasferire i prodotti registrati."),
    ("es", "Nos ocupamos de ello",
     "Gracias por ponerte en contacto con CPS Priority Support. Estamos revisando tu solicitud y te responderemos "
     "lo antes posible."),
    ("es", "Necesitamos más datos",
     "Gracias por tu mensaje. Para ayudarte necesitamos un poco más de información: responde con el número de serie "
     "del producto y, si la tienes, una copia de la factura de compra (PDF, JPEG o PNG)."),
    ("es", "Cuenta antigua de CPS vinculada",
     "Hemos vinculado tu antigua cuenta de CPS a tu empresa. Abre Mis productos y pulsa Migrar productos para "
     "traer los productos registrados."),
    ("de", "Wir kümmern uns darum",
     "Vielen Dank, dass Sie sich an CPS Priority Support gewandt haben. Wir prüfen Ihre Anfrage und melden uns so "
     "schnell wie möglich."),
    ("de", "Weitere Angaben nötig",
     "Vielen Dank für Ihre Nachricht. Um Ihnen zu helfen, brauchen wir noch ein paar Angaben: Bitte antworten Sie "
     "mit der Seriennummer des Produkts und, falls vorhanden, einer Kopie der Kaufrechnung (PDF, JPEG oder PNG)."),
    ("de", "Altes CPS-Konto verknüpft",
     "Wir haben Ihr altes CPS-Konto mit Ihrem Unternehmen verknüpft. Öffnen Sie Meine Produkte und klicken Sie auf "
     "Produkte migrieren, um Ihre registrierten Produkte zu übernehmen."),
]  # fmt: skip
