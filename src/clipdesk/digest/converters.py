"""URL converters: archive addresses in one spelling (/archive/2019/02/), and row ids."""


class YearConverter:
    regex = r"[0-9]{4}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class MonthConverter:
    regex = r"0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):02d}"


class RowIdConverter:
    """A row id in an address. Django's `int` takes any run of digits, and one past the
    database's 64-bit range made a lookup through a join fail with an error page (the
    desk's split); such an address now answers 404 like any other unknown id."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))
