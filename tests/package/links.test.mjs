// The READMEs' links lead somewhere: in the package README (js/README.md, shown by npm, where
// relative paths break) every link is absolute or an in-page anchor, every
// https://github.com/ws101/ws101/blob/main/PATH names a file of this repository, and every
// #anchor names a heading (GitHub's slugs); in the repository README every relative link names a
// file, and a #anchor into a Markdown file names one of its headings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { root } from "../support/tarball.mjs";

const BLOB = "https://github.com/ws101/ws101/blob/main/";
const REPO = "https://github.com/ws101/ws101";

/** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
function slug(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The anchors of a Markdown text (headings outside code blocks). */
function anchors(markdown) {
  const outsideCode = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => slug(heading)));
}

/** Link targets of a Markdown text: [text](target) and <img src="target">, code blocks and spans left out. */
function links(markdown) {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "``");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g), ...prose.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
}

function read(path) {
  return readFileSync(join(root, path), "utf8");
}

test("the package README: links work from npm (absolute to the repository, or an anchor of its own)", () => {
  const readme = read("js/README.md");
  const own = anchors(readme);
  const targets = links(readme);
  assert.ok(targets.length > 20, `found ${targets.length} links`);
  const repoReadmeAnchors = anchors(read("README.md")).add("readme"); // GitHub's anchor of the README itself
  for (const target of targets) {
    if (target.startsWith("#")) {
      assert.ok(own.has(target.slice(1)), `${target}: no such heading in js/README.md`);
    } else if (target.startsWith(BLOB)) {
      const [path, anchor] = target.slice(BLOB.length).split("#");
      assert.ok(existsSync(join(root, path)), `${target}: ${path} is not in the repository`);
      if (anchor && path.endsWith(".md")) assert.ok(anchors(read(path)).has(anchor), `${target}: no such heading in ${path}`);
    } else if (target.startsWith(`${REPO}#`)) {
      assert.ok(repoReadmeAnchors.has(target.slice(REPO.length + 1)), `${target}: no such heading in README.md`);
    } else {
      assert.match(target, /^https:\/\//, `${target}: a relative link breaks on npm`);
    }
  }
});

test("the repository README: every relative link names a file (and a heading, when it has an anchor)", () => {
  const readme = read("README.md");
  const own = anchors(readme);
  let relative = 0;
  for (const target of links(readme)) {
    if (/^https?:\/\//.test(target)) continue;
    if (target.startsWith("#")) {
      assert.ok(own.has(target.slice(1)), `${target}: no such heading in README.md`);
      continue;
    }
    relative += 1;
    const [path, anchor] = target.split("#");
    assert.ok(existsSync(join(root, path)), `${target}: no such file`);
    if (anchor) assert.ok(anchors(read(join(dirname("README.md"), path))).has(anchor), `${target}: no such heading in ${path}`);
  }
  assert.ok(relative > 5, `found ${relative} relative links`);
});
