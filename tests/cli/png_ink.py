#!/usr/bin/python3
# png_ink.py PNG [ENOUGH] - print "WIDTH HEIGHT INKED" of an 8-bit RGB or
# RGBA PNG, INKED being the number of pixels that are not white, counted
# up to ENOUGH (default: all).  For tests/cli/t34-report.bats, to tell a
# screenshot of a page from a blank one without PIL: zlib and the PNG
# filters are all it takes.
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(kind, line, prev, bpp):
    """One scanline as the encoder saw it, from its filtered bytes."""
    # a row like the one above, the usual case on a page's background
    if kind == 0 or (kind == 2 and not line.strip(b'\0')):
        return bytearray(line) if kind == 0 else prev
    row = bytearray(line)
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        if kind == 1:
            row[i] = (row[i] + a) & 255
        elif kind == 2:
            row[i] = (row[i] + b) & 255
        elif kind == 3:
            row[i] = (row[i] + ((a + b) >> 1)) & 255
        else:
            row[i] = (row[i] + paeth(a, b, prev[i - bpp] if i >= bpp else 0)) & 255
    return row


def main(path, enough):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('%s: not a PNG file' % path)
    pos, idat, head = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        if kind == b'IHDR':
            head = struct.unpack('>IIBBBBB', data[pos + 8:pos + 21])
        elif kind == b'IDAT':
            idat.append(data[pos + 8:pos + 8 + n])
        pos += 12 + n
    if not head:
        sys.exit('%s: no IHDR chunk' % path)
    width, height, depth, ctype, _, _, interlace = head
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit('%s: bit depth %d, colour type %d, interlace %d: not read here'
                 % (path, depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b''.join(idat))
    prev, white, inked = bytearray(stride), bytes([255]) * stride, 0
    for y in range(height):
        at = y * (stride + 1)
        row = unfilter(raw[at], raw[at + 1:at + 1 + stride], prev, bpp)
        if row != white:
            inked += sum(1 for x in range(0, stride, bpp)
                         if row[x] != 255 or row[x + 1] != 255 or row[x + 2] != 255)
        prev = row
        if enough and inked >= enough:
            inked = enough
            break
    print(width, height, inked)


main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
