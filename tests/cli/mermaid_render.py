#!/usr/bin/env python3
"""mermaid_render.py - render Mermaid files in headless Chromium with
Mermaid itself, as a code host would, and fail on any it refuses.

    mermaid_render.py MERMAID_JS FILE...

MERMAID_JS is Mermaid's browser bundle (scripts/mermaid-js.sh fetches it).
The golden files of `retort graph --format mermaid` are checked by our own
grammar in t28; this asks the real parser, in strict security mode, and
checks that each picture has a node per revision showing the label's text
as written (entity codes such as #34; shown as the character: a message
reads as the user wrote it), that no <script> element came out of a
message, and that the classes (head, applied, current, failed) reached
the nodes.
"""
import html
import json
import os
import re
import subprocess
import sys
import tempfile

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"></head><body><pre id="out">pending</pre>
<script src="%(js)s"></script>
<script>
mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
const diagrams = %(diagrams)s;
(async () => {
	const lines = [];
	for (let i = 0; i < diagrams.length; i++) {
		try {
			const r = await mermaid.render("d" + i, diagrams[i]);
			const div = document.createElement("div");
			div.innerHTML = r.svg;
			const nodes = Array.from(div.querySelectorAll("g.node"));
			lines.push(JSON.stringify({i: i, nodes: nodes.length,
				scripts: div.querySelectorAll("script").length,
				classes: nodes.map(n => n.getAttribute("class")).join(" "),
				labels: nodes.map(n => n.textContent)}));
		} catch (e) {
			lines.push(JSON.stringify({i: i, error: String(e.message || e)}));
		}
	}
	document.getElementById("out").textContent = lines.join("\\n");
})();
</script></body></html>
"""


def render(js, texts):
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "render.html")
        # "</" inside a script element would end it
        diagrams = json.dumps(texts).replace("</", "<\\/")
        with open(page, "w", encoding="utf-8") as f:
            f.write(PAGE % {"js": "file://" + os.path.abspath(js), "diagrams": diagrams})
        # root (CI, containers) needs --no-sandbox; the profile stays in tmp
        out = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--allow-file-access-from-files", "--user-data-dir=" + tmp + "/profile",
             "--virtual-time-budget=30000", "--dump-dom", "file://" + page],
            capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'<pre id="out">(.*?)</pre>', out, re.S)
    if not m or m.group(1) == "pending":
        sys.exit("mermaid_render: Chromium gave no result:\n" + out[-2000:])
    return [json.loads(line) for line in html.unescape(m.group(1)).splitlines()]


def labels_of(text):
    """The text each node must show: its label without <br>, codes decoded."""
    labels = re.findall(r'^    r_\w+\["(.*)"\]$', text, re.M)
    return sorted(re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label.replace("<br>", ""))
                  for label in labels)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    js, files = sys.argv[1], sys.argv[2:]
    texts = [open(f, encoding="utf-8").read() for f in files]
    bad = 0
    for path, text, res in zip(files, texts, render(js, texts)):
        name = os.path.basename(path)
        want = labels_of(text)
        classes = set(re.findall(r"^    class \S+ (\w+)$", text, re.M))
        problem = res.get("error")
        if not problem and sorted(res["labels"]) != want:
            problem = "labels shown %s, written %s" % (sorted(res["labels"]), want)
        if not problem and res["scripts"]:
            problem = "a <script> element came out of a label"
        if not problem and not classes <= set(res["classes"].split()):
            problem = "classes %s missing" % sorted(classes - set(res["classes"].split()))
        print("%s: %s" % (name, problem or "rendered, %d nodes" % len(want)))
        bad += bool(problem)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
