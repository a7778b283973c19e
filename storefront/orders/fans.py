"""Who a fan is for per-fan caps: one email, however it is typed."""


def fan_key(email: str) -> str:
    """The email that caps count: spaces dropped, lower case, and the `+tag` of the local
    part removed, so `Ana+1@X.org` and ` ana@x.org` are one fan."""
    local, _, domain = "".join(email.split()).lower().rpartition("@")
    if not local:
        return domain
    return f"{local.split('+', 1)[0] or local}@{domain}"
