"""The generated flags are valid GIFs (decoded here with an independent LZW decoder) and deterministic."""
import struct
import unittest
from typing import List, Tuple

from labkit import flags


def decode_gif(data: bytes) -> Tuple[int, int, List[Tuple[int, int, int]], List[int]]:
    """A small, general GIF decoder (variable code widths, clear codes, table growth) for one image."""
    assert data[:6] == b"GIF89a", data[:6]
    width, height, packed, _bg, _aspect = struct.unpack("<HHBBB", data[6:13])
    assert packed & 0x80, "no global colour table"
    table_size = 2 ** ((packed & 0x07) + 1)
    palette = [tuple(data[13 + 3 * i:16 + 3 * i]) for i in range(table_size)]
    pos = 13 + 3 * table_size
    assert data[pos] == 0x2C, "image descriptor expected"
    _left, _top, img_w, img_h, img_packed = struct.unpack("<HHHHB", data[pos + 1:pos + 10])
    assert (img_w, img_h) == (width, height) and img_packed == 0
    pos += 10
    min_size = data[pos]
    pos += 1
    stream = bytearray()
    while data[pos]:
        stream += data[pos + 1:pos + 1 + data[pos]]
        pos += 1 + data[pos]
    assert data[pos + 1:] == b"\x3b", "trailer expected right after the image"

    clear, end = 1 << min_size, (1 << min_size) + 1
    width_bits, bit_pos, out = min_size + 1, 0, []
    table: List[List[int]] = []
    previous: List[int] = []

    def reset() -> None:
        nonlocal table, width_bits, previous
        table = [[i] for i in range(clear)] + [[], []]
        width_bits, previous = min_size + 1, []

    reset()
    while True:
        code = 0
        for i in range(width_bits):
            byte = stream[(bit_pos + i) // 8]
            code |= ((byte >> ((bit_pos + i) % 8)) & 1) << i
        bit_pos += width_bits
        if code == clear:
            reset()
            continue
        if code == end:
            break
        if code < len(table):
            entry = table[code]
            if previous:
                table.append(previous + entry[:1])
        else:
            entry = previous + previous[:1]
            table.append(entry)
        out.extend(entry)
        previous = entry
        if len(table) == (1 << width_bits) and width_bits < 12:
            width_bits += 1
    return width, height, palette, out


class GifTest(unittest.TestCase):
    def test_every_flag_decodes_to_three_stripes(self) -> None:
        for cc in flags.POP20_CC:
            width, height, palette, pixels = decode_gif(flags.gif_bytes(cc))
            self.assertEqual((width, height), (flags.WIDTH, flags.HEIGHT))
            self.assertEqual(len(pixels), width * height)
            self.assertEqual(set(pixels), {0, 1, 2})
            self.assertEqual(palette[:3], flags.stripe_colours(cc))

    def test_bytes_are_deterministic_case_insensitive_and_distinct(self) -> None:
        self.assertEqual(flags.gif_bytes("br"), flags.gif_bytes("BR"))
        self.assertEqual(len({flags.gif_bytes(cc) for cc in flags.POP20_CC}), 20)
        self.assertTrue(all(flags.looks_like_gif(flags.gif_bytes(cc)) for cc in flags.POP20_CC))
        self.assertFalse(flags.looks_like_gif(b"<!DOCTYPE html>"))

    def test_known_codes(self) -> None:
        self.assertEqual(len(flags.POP20_CC), 20)
        self.assertTrue(flags.is_known("cn"))
        self.assertFalse(flags.is_known("XXX"))


if __name__ == "__main__":
    unittest.main()


class PrintedCodesTest(unittest.TestCase):
    """What the flags labs' checks read from a program's output."""

    def test_codes_two_threads_printed_at_once_are_found_run_together(self) -> None:
        from labkit.flagchecks import code_words, printed_codes, run_together
        # print(cc, end=" ") from two threads at once: one thread's code lands right after another's.
        text = "BD BR CD PHJP  PK MXRUTR\nSummary: 20 flags downloaded. DONE OK HTTP in IN"
        self.assertEqual(run_together(text, flags.POP20_CC), ["PHJP", "MXRUTR"])
        self.assertEqual([cc for _, codes in code_words(text, flags.POP20_CC) for cc in codes],
                         ["BD", "BR", "CD", "PH", "JP", "PK", "MX", "RU", "TR", "IN"])
        # Words that only look like codes are not codes: lower case, or letters that split into no codes.
        self.assertEqual(code_words("in Br DONE XX BDX", flags.POP20_CC), [])
        # printed_codes still reads whole words only, so a program's own verdict is not loosened.
        self.assertEqual(printed_codes(text, flags.POP20_CC), ["BD", "BR", "CD", "PK", "IN"])
