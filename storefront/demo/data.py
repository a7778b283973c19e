"""The demo catalog of Bruit Blanc: four releases, their formats, covers and sounds.

One data structure describes the label and one loop builds it, so extending the demo
means adding a `ReleaseSpec`, not another function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import select
from sqlalchemy.orm import Session

from storefront.catalog.models import (
    Product,
    ProductKind,
    ProductOption,
    Release,
    Track,
    WeightClass,
)
from storefront.demo.campaigns import load_campaigns
from storefront.demo.editions import load_editions, sell_tour_edition
from storefront.demo.media import excerpt, make_cover, make_zip, render_audio, write_wav
from storefront.demo.members import load_members
from storefront.demo.operations import load_operations
from storefront.demo.stand import load_stand
from storefront.demo.tour import load_tour

# Every full-length demo track lasts FULL_SECONDS whatever its nominal duration says:
# rendering real lengths would take minutes and hundreds of megabytes.
FULL_SECONDS = 20.0
PREVIEW_SECONDS = 12.0
PREVIEW_START = 4.0


class DemoRefused(Exception):
    """The demo was not loaded because it would mix with an existing catalog."""


@dataclass(frozen=True)
class ProductSpec:
    kind: ProductKind
    name: str
    price_cents: int
    stock: int | None = None
    weight: WeightClass = WeightClass.NONE
    options: tuple[tuple[str, int], ...] = ()
    includes_digital: bool = False


@dataclass(frozen=True)
class ReleaseSpec:
    slug: str
    title: str
    artist: str
    style: str  # a media.STYLES entry: the cover motif and the sound of the tracks
    days_from_today: int  # positive for an upcoming release
    description: str
    credits: str
    tracks: tuple[tuple[str, int], ...]  # (title, nominal duration in seconds)
    products: tuple[ProductSpec, ...]
    streaming_track: int = 1  # position of the one track that streams in full


def _digital(price_cents: int) -> ProductSpec:
    return ProductSpec(ProductKind.DIGITAL, "Téléchargement (WAV)", price_cents)


LABEL: tuple[ReleaseSpec, ...] = (
    ReleaseSpec(
        slug="duo-granulaire-grains-de-sable",
        title="Grains de Sable",
        artist="Duo Granulaire",
        style="grains",
        days_from_today=21,
        description=(
            "Deux micros contact, une table de mixage fatiguée et quelques kilos de sable de "
            "Loire : Duo Granulaire découpe le son en milliers de grains, puis les laisse "
            "retomber. Le bruit blanc est beau, mais l'oreille cherche un motif — ici, elle le "
            "trouve dans le crépitement d'un sablier amplifié, dans une boucle qui se défait "
            "lentement sous les doigts. Pressage limité à 300 exemplaires ; les 100 premiers "
            "sont accompagnés d'un livret de notes techniques."
        ),
        credits=(
            "Enregistré par Duo Granulaire à l'Atelier des Pentes, Lyon\n"
            "Mixé par Camille Ferrand\n"
            "Masterisé par Hugo Lenoir, La Cave Sonore, Villeurbanne\n"
            "Gravure : Studio Sillon Noir\n"
            "Pochette : générée à partir des sons du disque\n"
            "Notes techniques : Duo Granulaire"
        ),
        tracks=(
            ("Sablier", 278),
            ("Quartz", 204),
            ("Érosion", 356),
            ("Mille particules", 241),
            ("Verre soufflé", 189),
            ("Dune lente", 412),
            ("Marée basse", 297),
        ),
        products=(
            ProductSpec(
                ProductKind.VINYL,
                'Vinyle 12" + téléchargement',
                2400,
                300,
                WeightClass.PARCEL,
                includes_digital=True,
            ),
            _digital(900),
        ),
        streaming_track=3,
    ),
    ReleaseSpec(
        slug="collectif-larsen-retours-de-scene",
        title="Retours de Scène",
        artist="Collectif Larsen",
        style="noise",
        days_from_today=-45,
        description=(
            "Sur scène, le larsen est l'accident qu'on chasse ; Collectif Larsen en a fait un "
            "instrument. Ces huit pièces ont été captées dans les retours de scène, soir après "
            "soir, de Lyon à Genève : le souffle de la salle, un câble qui grésille, la "
            "réverbération d'un gymnase vide à l'heure de la balance. Du bruit pur, mais jamais "
            "au hasard — l'oreille y cherche un motif, et la tournée le lui donne."
        ),
        credits=(
            "Enregistré en concert à Lyon, Grenoble, Genève et Lausanne\n"
            "Prise de son : Inès Morel, depuis les retours de scène\n"
            "Mixé par Collectif Larsen au Local, Vaulx-en-Velin\n"
            "Masterisé par Hugo Lenoir, La Cave Sonore, Villeurbanne\n"
            "Photographie : Théo Garnier\n"
            "Sérigraphie du T-shirt : Atelier Contre-Jour, Lyon"
        ),
        tracks=(
            ("Balance à Grenoble", 221),
            ("Larsen majeur", 318),
            ("Retour plateau", 264),
            ("Câble abîmé", 147),
            ("Salle pleine", 402),
            ("Genève, 23 h 40", 285),
            ("Bis", 176),
            ("Démontage", 339),
        ),
        products=(
            ProductSpec(ProductKind.CD, "CD digipack", 1300, 120, WeightClass.LETTER),
            ProductSpec(
                ProductKind.CD, "CD édition de tournée numérotée", 1800, 40, WeightClass.LETTER
            ),
            ProductSpec(
                ProductKind.MERCH,
                "T-shirt sérigraphié",
                2200,
                weight=WeightClass.PARCEL,
                options=(("S", 8), ("M", 15), ("L", 15), ("XL", 6)),
            ),
            _digital(800),
        ),
        streaming_track=2,
    ),
    ReleaseSpec(
        slug="drone-atlas-cartographie-lente",
        title="Cartographie Lente",
        artist="Drone Atlas",
        style="drone",
        days_from_today=-12,
        description=(
            "Cinq longues nappes où deux sinusoïdes presque identiques se frottent jusqu'à "
            "battre, comme deux cartes d'un même territoire posées l'une sur l'autre. Drone "
            "Atlas ne cherche pas la mélodie : il laisse le temps dessiner les courbes de "
            "niveau. Une petite série de cassettes, doublées une à une ; si la demande le "
            "confirme, un vinyle suivra."
        ),
        credits=(
            "Composé et enregistré par Drone Atlas, Monts du Lyonnais, hiver\n"
            "Masterisé par Lucie Arnaud\n"
            "Duplication des cassettes : Bruit Blanc, en temps réel\n"
            "Pochette : relevés topographiques imaginaires"
        ),
        tracks=(
            ("Méridien zéro", 684),
            ("Courbes de niveau", 545),
            ("Plateau continental", 820),
            ("Isobares", 472),
            ("Dérive des continents", 910),
        ),
        products=(
            ProductSpec(ProductKind.CASSETTE, "Cassette", 1000, 12, WeightClass.LETTER),
            ProductSpec(
                ProductKind.VINYL,
                'Vinyle 12" (précommande)',
                2600,
                400,
                WeightClass.PARCEL,
                includes_digital=True,
            ),
            _digital(700),
        ),
        streaming_track=2,
    ),
    ReleaseSpec(
        slug="ensemble-electro-libre-architecture-rythmique",
        title="Architecture Rythmique",
        artist="Ensemble Électro Libre",
        style="rhythm",
        days_from_today=-150,
        description=(
            "Ensemble Électro Libre bâtit ses morceaux comme des édifices : une fondation de "
            "pulsations, des contreforts de clics, une voûte de motifs qui se décalent d'un pas "
            "à chaque mesure. Sous la rigueur des grilles, le bruit blanc affleure toujours — "
            "il est beau, mais l'oreille cherche un motif, et ici chaque motif est un plan."
        ),
        credits=(
            "Enregistré par Ensemble Électro Libre au Sucre, Lyon\n"
            "Séquences et synthèse modulaire : Nora Belkacem, Julien Roux, Max Perrin\n"
            "Mixé et masterisé par Lucie Arnaud\n"
            "Pochette : grilles de séquenceur du disque\n"
            "Essai vidéo : Clara Dumas"
        ),
        tracks=(
            ("Fondations", 253),
            ("Charpente", 198),
            ("Contrefort", 311),
            ("Voûte en berceau", 276),
            ("Escalier sans fin", 344),
            ("Clé de voûte", 229),
        ),
        products=(
            _digital(800),
            ProductSpec(ProductKind.VINYL, 'Vinyle 10"', 2000, 300, WeightClass.PARCEL),
        ),
        streaming_track=1,
    ),
)


def load_demo(session: Session, *, media_dir: Path, private_dir: Path, now: datetime) -> int:
    """Add the Bruit Blanc catalog, its media, its campaigns and its tour to an empty shop
    (committed); return the releases made."""
    today = now.date()
    if session.scalar(select(Release.id).limit(1)) is not None:
        raise DemoRefused(
            "The catalog already holds releases; the demo only loads into an empty shop."
        )
    for seed, spec in enumerate(LABEL):
        session.add(_build_release(spec, seed, media_dir, private_dir, today))
    session.commit()
    load_editions(session)
    load_campaigns(session, private_dir=private_dir)
    sell_tour_edition(session)
    tour = load_tour(session, now=now, private_dir=private_dir)
    session.commit()
    load_stand(session, tour, now=now)
    session.commit()
    load_members(session, private_dir=private_dir, now=now)
    load_operations(session, now=now)
    return len(LABEL)


def _build_release(
    spec: ReleaseSpec, seed: int, media_dir: Path, private_dir: Path, today: date
) -> Release:
    cover_path = f"covers/{spec.slug}.jpg"
    make_cover(
        media_dir / cover_path, seed=seed, title=spec.title, artist=spec.artist, style=spec.style
    )
    release = Release(
        slug=spec.slug,
        title=spec.title,
        artist=spec.artist,
        cover_path=cover_path,
        release_date=today + timedelta(days=spec.days_from_today),
        description=spec.description,
        credits=spec.credits,
        published=True,
    )
    with TemporaryDirectory(prefix="sillon-demo-") as scratch:
        files = _build_tracks(release, spec, seed, media_dir, Path(scratch))
        download_path = None
        if any(product.kind == ProductKind.DIGITAL for product in spec.products):
            download_path = f"downloads/{spec.slug}.zip"
            files["cover.jpg"] = media_dir / cover_path
            make_zip(private_dir / download_path, files)
    release.products = [
        _build_product(product, position, download_path)
        for position, product in enumerate(spec.products)
    ]
    return release


def _build_tracks(
    release: Release, spec: ReleaseSpec, seed: int, media_dir: Path, scratch: Path
) -> dict[str, Path]:
    """Add the tracks and their public previews; return the full-length files by zip name."""
    full_tracks: dict[str, Path] = {}
    for position, (title, duration) in enumerate(spec.tracks, start=1):
        samples = render_audio(seed=seed * 100 + position, seconds=FULL_SECONDS, style=spec.style)
        full = scratch / f"{position:02d}.wav"
        write_wav(full, samples)
        full_tracks[f"{spec.artist} - {spec.title} - {position:02d} {title}.wav"] = full
        streams_full = position == spec.streaming_track
        # The track that streams in full is served whole; the others only as an excerpt,
        # which is what a visitor would hear before buying.
        public = samples
        if not streams_full:
            public = excerpt(samples, start=PREVIEW_START, seconds=PREVIEW_SECONDS)
        preview_path = f"previews/{spec.slug}-{position:02d}.wav"
        write_wav(media_dir / preview_path, public)
        release.tracks.append(
            Track(
                position=position,
                title=title,
                duration_seconds=duration,
                preview_path=preview_path,
                streaming_full=streams_full,
            )
        )
    return full_tracks


def _build_product(spec: ProductSpec, position: int, download_path: str | None) -> Product:
    digital = spec.kind == ProductKind.DIGITAL
    return Product(
        kind=spec.kind,
        name=spec.name,
        price_cents=spec.price_cents,
        currency="EUR",
        stock=spec.stock,
        weight_class=spec.weight,
        download_path=download_path if digital else None,
        includes_digital=spec.includes_digital,
        position=position,
        active=True,
        options=[
            ProductOption(label=label, stock=stock, position=index)
            for index, (label, stock) in enumerate(spec.options)
        ],
    )
