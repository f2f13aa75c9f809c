"""An open_clip model's weights: names and tags resolved, files and the cache checked, what to do when missing."""

from __future__ import annotations

import os
from pathlib import Path

from open_clip.pretrained import download_pretrained_from_hf, get_pretrained_cfg, list_pretrained_tags_by_model

from packager.model import ModelError, ModelUnavailable

CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".ckpt")
HF_WEIGHTS_FILE = "open_clip_pytorch_model.bin"  # what open_clip fetches for a tag "org/repo/"
HF_CONFIG_FILE = "open_clip_config.json"
# The command-line options named in error messages, for a captioner and for a scorer.
CAPTION_FLAGS = ("--caption-model", "--caption-pretrained")
SCORE_FLAGS = ("--score-model", "--score-pretrained")


def is_checkpoint_path(value: str) -> bool:
    return value.lower().endswith(CHECKPOINT_SUFFIXES) or Path(value).expanduser().is_file()


def _offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def _hf_cache_hint(cache_dir: str | None) -> str:
    if cache_dir:
        return cache_dir
    from huggingface_hub import constants

    return constants.HF_HUB_CACHE


def resolve_names(name: str, pretrained: str | None, flags: tuple[str, str] = CAPTION_FLAGS) -> tuple[str, str | None]:
    """(architecture, weights) from the two values, accepting a checkpoint path in either place."""
    name = name.strip()
    pretrained = pretrained.strip() if pretrained else None
    if name.startswith(("hf-hub:", "local-dir:")):
        return name, None
    if is_checkpoint_path(name):
        if not pretrained or is_checkpoint_path(pretrained):
            raise ModelError(
                f"{name!r} is a checkpoint file: also name the open_clip architecture it was trained as, "
                f"e.g. {flags[0]} ARCHITECTURE {flags[1]} {name}"
            )
        return pretrained, name
    return name, pretrained


def _safetensors_twin(filename: str) -> str:
    # open_clip looks for these first (open_clip.pretrained._get_safe_alternatives).
    if filename == HF_WEIGHTS_FILE:
        return "open_clip_model.safetensors"
    return filename[:-4] + ".safetensors" if filename.endswith((".bin", ".pth")) else filename


def _missing_tag_message(
    arch: str, tag: str, repo: str, filename: str, cache_dir: str | None, error: str, flags: tuple[str, str]
) -> str:
    return (
        f"The weights of open_clip model {arch!r} with pretrained tag {tag!r} are not on this machine "
        f"and could not be downloaded ({'offline mode, HF_HUB_OFFLINE=1' if _offline() else 'download failed'}: "
        f"{error.strip().splitlines()[0] if error.strip() else 'no detail'}).\n"
        f"They are the file {filename!r} (or {_safetensors_twin(filename)!r}) of the Hugging Face repository {repo!r}, "
        f"looked for in the cache {_hf_cache_hint(cache_dir)!r}. To provide them, either:\n"
        f"  - on a machine with internet access run: hf download {repo} {filename}\n"
        f"    then copy its Hugging Face cache folder (models--{repo.replace('/', '--')} under "
        f"~/.cache/huggingface/hub, or $HF_HUB_CACHE) into this machine's cache; or\n"
        f"  - download that file and pass its path instead of the tag: "
        f"{flags[0]} {arch} {flags[1]} /path/to/{filename}"
    )


def check_tag_weights(arch: str, tag: str, cache_dir: str | None, flags: tuple[str, str]) -> None:
    """Make sure the tag's weights are on disk, downloading them where allowed; else ModelUnavailable."""
    config = get_pretrained_cfg(arch, tag)
    if not config:
        known = ", ".join(list_pretrained_tags_by_model(arch)) or "none: give a checkpoint file instead"
        raise ModelError(f"{tag!r} is neither a checkpoint file nor a pretrained tag of {arch!r} (its tags: {known})")
    if config.get("file"):
        if not Path(config["file"]).is_file():
            raise ModelUnavailable(f"the weights of {arch!r} / {tag!r} should be at {config['file']}, which is missing")
        return
    if config.get("hf_hub"):
        # open_clip's convention: "org/repo/file" names a file, "org/repo/" the default weights file.
        repo, filename = os.path.split(config["hf_hub"])
        filename = filename or HF_WEIGHTS_FILE
        try:
            download_pretrained_from_hf(repo, filename=filename, cache_dir=cache_dir)
        except Exception as exc:  # huggingface_hub's offline, network and not-found errors alike
            raise ModelUnavailable(_missing_tag_message(arch, tag, repo, filename, cache_dir, str(exc), flags)) from exc
        return
    url = config.get("url", "")
    target = Path(cache_dir or Path.home() / ".cache" / "clip") / os.path.basename(url)
    if target.is_file():
        return
    how = (
        f"To provide them, download {url} on a machine with internet access and either copy it to {target}, "
        f"or pass its path instead of the tag: {flags[0]} {arch} {flags[1]} /path/to/{target.name}"
    )
    if _offline():
        raise ModelUnavailable(
            f"The weights of open_clip model {arch!r} with pretrained tag {tag!r} are not on this machine "
            f"(offline mode, HF_HUB_OFFLINE=1; looked for {target}). {how}"
        )
    try:
        from open_clip.pretrained import download_pretrained_from_url

        download_pretrained_from_url(url, cache_dir=str(target.parent))
    except Exception as exc:
        raise ModelUnavailable(
            f"The weights of open_clip model {arch!r} with pretrained tag {tag!r} could not be downloaded "
            f"from {url} ({exc}). {how}"
        ) from exc


def check_hub_weights(name: str, cache_dir: str | None) -> None:
    repo = name.removeprefix("hf-hub:")
    for filename in (HF_CONFIG_FILE, HF_WEIGHTS_FILE):
        try:
            download_pretrained_from_hf(repo, filename=filename, cache_dir=cache_dir)
        except Exception as exc:
            raise ModelUnavailable(
                f"The open_clip model {name!r} is not on this machine and could not be downloaded "
                f"({'offline mode, HF_HUB_OFFLINE=1' if _offline() else 'download failed'}: missing {filename!r}). "
                f"To provide it: on a machine with internet access run: hf download {repo} {HF_CONFIG_FILE} "
                f"{HF_WEIGHTS_FILE}, then copy the cache folder models--{repo.replace('/', '--')} into "
                f"{_hf_cache_hint(cache_dir)!r}; or download both files into a folder and use "
                f"'local-dir:/path/to/that/folder' as the model name."
            ) from exc
