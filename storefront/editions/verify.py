"""`python -m storefront.editions.verify FILE_OR_URL`: the verifier, run from the shop's code.

Fans need not install the shop: the verifier is `storefront/editions/draw.py`, one file
served at /editions/verify.py (`python verify.py URL`). This module only gives it the
`python -m` name; it holds no code of its own, so there is one draw and one check.
"""

from __future__ import annotations

import sys

from storefront.editions.draw import check, main

__all__ = ["check", "main"]

if __name__ == "__main__":
    sys.exit(main())
