"""``python -m packager`` runs the pdpack command."""

from packager.launch import main

main()
