"""Legacy CSV files for tests."""

HEADER = (
    "legacy_email,account_name,country,membership_number,level,product_code,product_name,serial_number,"
    "purchase_date,country_of_purchase,dealer"
)


def legacy_csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def twelve_products(email: str = "old@example.com", taken_serial: str = "099999999999") -> bytes:
    """12 registrations: 8 complete, 3 lacking details, 1 whose serial another business holds."""
    rows = [f"{email},Old Studio,IT,123456789,Gold,CAM-{n},,{n:012d},2022-01-1{n % 9},IT,Foto Milano" for n in range(8)]
    rows += [
        f"{email},Old Studio,IT,123456789,Gold,CAM-8,,000000000008,,IT,Foto Milano",
        f"{email},Old Studio,IT,123456789,Gold,CAM-9,,000000000009,2022-02-02,,",
        f"{email},Old Studio,IT,123456789,Gold,,Unknown model,000000000010,2022-02-02,IT,Foto Milano",
        f"{email},Old Studio,IT,123456789,Gold,CAM-0,,{taken_serial},2022-02-02,IT,Foto Milano",
    ]
    return legacy_csv(*rows)


def cameras() -> list:
    from propass.products.tests.helpers import camera

    return [camera(f"CAM-{n}", 100, name=f"Camera {n}", launch_date=None) for n in range(10)]
