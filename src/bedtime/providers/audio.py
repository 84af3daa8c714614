"""16-bit mono PCM to MP3, shared by the voices that synthesise raw samples."""

from __future__ import annotations

import lameenc


def silence(sample_rate: int, milliseconds: int) -> bytes:
    return bytes(2 * (sample_rate * milliseconds // 1000))


def mp3_from_pcm(pcm: bytes, sample_rate: int) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(5)
    return bytes(encoder.encode(pcm) + encoder.flush())
