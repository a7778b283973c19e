"""Demo data for the fictional label Bruit Blanc (see docs in DEMO.md).

`media` is pure (Pillow and the standard library); `data` writes the catalog through a
SQLAlchemy session. Import `storefront.demo.data` explicitly so media stays Flask-free.
"""
