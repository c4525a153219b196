#!/usr/bin/env python3
"""graph_lanes.py - read back the lanes of `retort graph`'s text drawing.

    graph_lanes.py make DIR SEED COUNT   write COUNT revision files of a random
                                         graph (bases, branch points, merges
                                         of two and three, depends_on) in
                                         DIR/migrations/versions
    graph_lanes.py check DIR <DRAWING    follow every lane of the drawing and
                                         compare the edges it draws with the
                                         down_revisions of DIR's files

A golden file pins a drawing; this checks that any drawing means the graph:
each lane is followed from the revision that starts it, through '|', '/',
'\\' and the '_' of a lane passing under others ("|_|/"), to the revision
it ends at.  Exit 1 naming the first edge drawn wrong or lane lost.
"""
import glob
import os
import random
import re
import sys


def make(folder, seed, count):
    rnd = random.Random(seed)
    versions = os.path.join(folder, "migrations", "versions")
    os.makedirs(versions, exist_ok=True)
    ids = []
    for i in range(count):
        rev = "r%05d" % i
        roll = rnd.random()
        recent = ids[-8:]
        if not ids or roll < 0.04:
            parents = []
        elif roll < 0.18 and len(recent) >= 3:
            parents = rnd.sample(recent, rnd.choice([2, 2, 3]))
        else:
            parents = [rnd.choice(recent)]
        depends = [rnd.choice(ids)] if ids and rnd.random() < 0.05 else []
        depends = [d for d in depends if d not in parents]
        with open(os.path.join(versions, rev + "_x.sql"), "w") as f:
            f.write("-- message %d\n--\n-- revision: %s\n-- down_revision: %s\n"
                    "-- depends_on: %s\n\n-- +upgrade\n\n-- +downgrade\n"
                    % (i, rev, ", ".join(parents), ", ".join(depends)))
        ids.append(rev)


def edges_of(folder):
    edges = set()
    for path in glob.glob(os.path.join(folder, "migrations", "versions", "*.sql")):
        text = open(path).read()
        rev = re.search(r"^-- revision: (\S+)", text, re.M).group(1)
        down = re.search(r"^-- down_revision:(.*)$", text, re.M).group(1)
        edges.update((rev, p.strip()) for p in down.split(",") if p.strip())
    return edges


def target(line, p):
    """The column a '/' at p leads to: the next one, or across a '_' run."""
    j = p - 1
    if not (line[j] == "_" or (line[j] == "|" and j >= 1 and line[j - 1] == "_")):
        return j // 2
    while j >= 0 and (line[j] == "_" or (j % 2 == 0 and line[j] == "|"
                                          and j >= 1 and line[j - 1] == "_")):
        j -= 1
    return j // 2


def check(folder, drawing):
    want = edges_of(folder)
    has_parents = {child for child, _ in want}
    lanes = {}  # column -> the revisions whose edges run down it
    drawn = set()
    for line in drawing.splitlines():
        m = re.search(r" (r\d{5})( |$)", line)
        if m:  # a revision's row: "| * r00012 ..."
            cells, rev = line[:m.start()], m.group(1)
            col = max(cells.find("*"), cells.find("o")) // 2
            for i in range(0, len(cells), 2):
                if i // 2 != col and cells[i] == " " and lanes.get(i // 2):
                    sys.exit("lane of %s lost at: %s" % (sorted(lanes[i // 2]), line))
            drawn.update((child, rev) for child in lanes.get(col, ()))
            lanes[col] = {rev} if rev in has_parents else set()
            continue
        moved = {}
        for p, ch in enumerate(line):
            if ch == "|" and p % 2 == 0:
                src, dst = p // 2, p // 2
            elif ch == "/":
                src, dst = (p + 1) // 2, target(line, p)
            elif ch == "\\":
                src, dst = (p - 1) // 2, (p + 1) // 2
            elif ch in " _":
                continue
            else:
                sys.exit("unexpected %r in: %s" % (ch, line))
            moved.setdefault(dst, set()).update(lanes.get(src, ()))
        lanes = moved
    if drawn != want:
        sys.exit("edges drawn wrong: missing %s, extra %s"
                 % (sorted(want - drawn)[:5], sorted(drawn - want)[:5]))
    print("%d edges" % len(drawn))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2], sys.stdin.read())
    else:
        sys.exit(__doc__)
