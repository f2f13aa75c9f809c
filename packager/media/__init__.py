"""The pictures: downloading them safely, and decoding, checking and converting them."""
