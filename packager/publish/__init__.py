"""Publishing a build to the Hugging Face Hub: ``pdpack push`` (``push_command``) on top of ``hub``."""
