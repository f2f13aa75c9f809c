"""``python -m packager`` runs the pdpack command."""

from packager.cli import main

main()
