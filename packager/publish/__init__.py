"""Publishing: releases, pushing a folder to the Hugging Face Hub, and reading the previous release back."""
