// The package's TypeScript types, checked by `tsc` against real usage (tests/types/*.ts),
// including lines that must NOT compile (@ts-expect-error fails the build when they do), under
// every moduleResolution a project may use, in a Node project without the DOM lib, with
// skipLibCheck false and exactOptionalPropertyTypes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import * as ws101 from "ws101";

const root = fileURLToPath(new URL("../../", import.meta.url));

function tsc(project) {
  try {
    execFileSync(`${root}node_modules/.bin/tsc`, ["-p", project], { cwd: root, encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc -p ${project} failed:\n${e.stdout}${e.stderr}`);
  }
}

test("tsc accepts the documented usage of ws101, ws101/node, /workers, /deno, /bun (DOM lib, nodenext)", () => {
  tsc("tests/types");
});

for (const resolution of ["nodenext", "node16", "bundler"]) {
  test(`moduleResolution ${resolution}, no DOM lib, skipLibCheck false: every subpath resolves and type-checks`, () => {
    tsc(`tests/types/tsconfig.${resolution}.json`);
  });
}

// The old `node` (node10) resolution ignores `exports`: subpaths need `typesVersions` in the manifest.
const manifest = JSON.parse(readFileSync(`${root}pkg/package.json`, "utf8"));
test("moduleResolution node (node10), no DOM lib: every subpath resolves and type-checks", {
  todo: manifest.typesVersions ? false : "pkg.json has no typesVersions mapping the subpaths for node10 resolution",
}, () => {
  tsc("tests/types/tsconfig.node.json");
});

test("index.d.ts declares exactly the runtime exports of ws101, with no `any` in them", () => {
  const file = `${root}pkg/index.d.ts`;
  const program = ts.createProgram([file], { strict: true, noEmit: true, lib: ["lib.es2022.d.ts"], types: ["node"], skipLibCheck: false });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const exported = checker.getExportsOfModule(checker.getSymbolAtLocation(source));
  const values = exported.filter((s) => {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    return (target.flags & ts.SymbolFlags.Value) !== 0;
  }).map((s) => s.name).sort();
  assert.deepEqual(values, Object.keys(ws101).sort());
  // no `any` anywhere in the public declarations
  const anys = [];
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) anys.push(`${source.getLineAndCharacterOfPosition(node.pos).line + 1}: ${node.parent.getText(source).slice(0, 80)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  assert.deepEqual(anys, []);
});
