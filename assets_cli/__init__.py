"""assets: campaign statement + designs → posters, cards, banners and leaflets."""

__version__ = "0.1.0"

from assets_cli.libraries import install as _install_library_lookup  # noqa: E402 - before anything loads WeasyPrint

_install_library_lookup()
