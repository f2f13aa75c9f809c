"""The reasons that point at the files: the manifest's rows, paths, files, web addresses and images."""

from __future__ import annotations

from packager.model.reason import Picture, Reason, Severity

# In the order the reason tables list them (packager.model.registry puts the families together).
FILE_REASONS: tuple[Reason, ...] = (
    Reason(
        "manifest:missing-id",
        label="No id",
        explanation="The row has no id. Give every row a unique id.",
        fix_template=("Fill in {id} of this row with a code used by no other row, such as the accession number."),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:duplicate-id",
        label="Id used twice",
        explanation="Another row already uses this id. Give every row a unique id.",
        fix_template=(
            "Give this row an id of its own (or delete the row if it repeats an item): every row needs a "
            "different id. The first row with the id ships."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:no-source",
        label="No file or web address",
        explanation="The row names neither a file nor a url. Fill in one of them.",
        fix_template=(
            "Fill in {file} with the picture's path inside the collection folder (e.g. "
            "files/1923-45.jpg), or {url} with its web address."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:both-sources",
        label="Both a file and a web address",
        explanation="The row names both a file and a url. Keep only one of them.",
        fix_template=(
            "Empty either {file} or {url} of this row; keep the one that leads to the picture you want to publish."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:invalid-row",
        label="Row could not be read",
        explanation="The row could not be read. Check the value named in the message.",
        fix_template=(
            "Correct the cell named in the detail: a year like 1890 in {creator_death_year}, no more cells "
            "in the row than there are column names in the first row."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:invalid-id",
        label="Id not allowed",
        explanation=(
            "The id has a control character or line break, is over 200 characters, or starts with a space or an "
            "apostrophe. Give the row a plain id."
        ),
        fix_template=(
            "Write {id} as plain text of at most 200 characters, such as the accession number: no tabs, "
            "line breaks or other invisible control characters, no space or apostrophe at the start."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "path:escapes-collection",
        label="File outside the collection folder",
        explanation="The file path points outside the collection folder. Use a path inside it.",
        fix_template=(
            "Move the picture into the collection folder (e.g. into files/) and write its path from "
            "there, such as files/1923-45.jpg: no '..', no path starting with '/', no line breaks, no "
            "shortcut (symbolic link) to elsewhere."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "file:missing",
        label="File not found",
        explanation="The file named in the manifest is not in the collection folder.",
        fix_template=(
            "Put the picture at the path given in {file}, or correct the path: check capitals, "
            "spaces and the ending (.jpg or .jpeg, .tif or .tiff)."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "file:unreadable",
        label="File could not be read",
        explanation="The file could not be read from disk.",
        fix_template="Check the file opens on your computer and is not locked; copy it into the folder again.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:unsupported-scheme",
        label="Web address not http or https",
        explanation="Only http and https addresses can be fetched.",
        fix_template=(
            "Give a web address starting with https:// or http:// in {url}, or put the picture in "
            "the folder and give its path in {file} instead."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:http-error",
        label="Web server answered with an error",
        explanation="The server answered with an error for this address.",
        fix_template=(
            "Open the address in a browser; if it no longer leads to the picture, put the current address in {url}."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:unreachable",
        label="Web server not reachable",
        explanation="The server could not be reached (timeout or connection error).",
        fix_template=(
            "Check the address in {url} and build again later; if the site stays down, save the "
            "picture into the folder and use {file}."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:not-an-image",
        label="Web address gives no image",
        explanation="The address answered with something that is not an image (a web page, an error page).",
        fix_template=(
            "Open the address in a browser: it should show the picture alone, not a web page about it. "
            "Put the address of the image file itself (often ending in .jpg) in {url}."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:too-large",
        label="Download too large",
        explanation="The download was larger than the size limit.",
        fix_template="Link a smaller version of the picture in {url} (a few thousand pixels across is plenty).",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:private-address",
        label="Web address in a private network",
        explanation=(
            "The address leads to this machine or a private network (loopback, private, link-local...), which "
            "pdpack does not fetch from. Give the image's public address; for an in-house server, build with "
            "--allow-private-urls."
        ),
        fix_template=(
            "Put the picture's public web address in {url} (one that opens from any computer on the "
            "internet), or save the picture into the folder and use {file}."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:deadline",
        label="Download took too long",
        explanation=(
            "The server did not deliver the image within the time allowed per address, retries included "
            "(--fetch-deadline): it is stalled or too slow."
        ),
        fix_template=(
            "Open the address in a browser: if the picture is slow to come, build again later, link a smaller "
            "or faster copy in {url}, or save the picture into the folder and use {file}."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:bad-redirect",
        label="Web address redirects badly",
        explanation="The address redirects too many times, or without saying where to.",
        fix_template="Open the address in a browser and put the address it finally shows the picture at in {url}.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:not-fetched",
        label="Not downloaded (validate --offline)",
        explanation=(
            "Not downloaded: pdpack validate --offline checks a URL's form and address only; its image is "
            "checked when the collection is built."
        ),
        fix_template="Nothing to change now; run pdpack validate without --offline to try the download yourself.",
        severity=Severity.INFO,
        picture=Picture.NONE,
    ),
    Reason(
        "image:unreadable",
        label="Not an image that can be opened",
        explanation="The file is not an image that can be opened (corrupt, or not an image format).",
        fix_template=(
            "Export the picture again as JPEG, PNG or TIFF and replace the file: a PDF, SVG, web page or "
            "empty file saved under a picture's name will not open."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "image:truncated",
        label="Image file cut short",
        explanation="The image file is cut short; export it again.",
        fix_template=(
            "The file is incomplete (the copy or export stopped early): copy or export it again from the "
            "original and replace it."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "image:decompression-bomb",
        label="Image far too large",
        explanation="The image is far larger in pixels than allowed, a sign of a broken or hostile file.",
        fix_template="Export a smaller version (under 89 million pixels, e.g. 9,000 x 9,000) and replace the file.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "image:unsupported-format",
        label="Image format not accepted",
        explanation="The image format is not one we accept (JPEG, PNG, WebP, TIFF, BMP, GIF).",
        fix_template="Save the picture as JPEG, PNG, WebP or TIFF and point {file} at the new file.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
)
