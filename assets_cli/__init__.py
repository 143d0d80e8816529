"""assets: campaign statement + designs → posters, cards, banners and leaflets."""

__version__ = "0.1.0"
