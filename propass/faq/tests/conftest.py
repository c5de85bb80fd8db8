import pytest


@pytest.fixture(autouse=True)
def faq_seeded(db):
    """The migration seeds the FAQ, but a transactional test elsewhere empties the tables;
    seeding again is idempotent."""
    from propass.faq.seed import faq_seed

    faq_seed()
