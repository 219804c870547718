#!/usr/bin/env node
/**
 * Lists the longest functions in the repository's sources, measured with the TypeScript compiler's own
 * parser: every function declaration, function expression, arrow function, method, accessor and
 * constructor, by the lines it spans (first line to last, nested functions included).
 *
 *   node scripts/function-lengths.mjs                       # every packages/* /src, the 20 longest
 *   node scripts/function-lengths.mjs packages/facts/src packages/hero/src --top 5
 *   node scripts/function-lengths.mjs --over 150            # only those over 150 lines (exit 1 if any)
 *   node scripts/function-lengths.mjs --json                # machine-readable
 *
 * Directories are walked recursively for `.ts`/`.tsx`/`.mts` files; test files (`*.test.ts`,
 * `*.spec.ts`), declaration files and `node_modules`/`dist` are skipped.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const args = process.argv.slice(2);
let top = 20;
let over = null;
let json = false;
const roots = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--top") top = Number(args[++i]);
  else if (a === "--over") over = Number(args[++i]);
  else if (a === "--json") json = true;
  else if (a === "--help" || a === "-h") {
    console.log("usage: node scripts/function-lengths.mjs [dir|file ...] [--top N] [--over LINES] [--json]");
    process.exit(0);
  } else roots.push(a);
}
if (roots.length === 0) {
  for (const pkg of readdirSync("packages")) {
    const src = join("packages", pkg, "src");
    if (statSync(src, { throwIfNoEntry: false })?.isDirectory()) roots.push(src);
  }
}

const SKIP_DIRS = new Set(["node_modules", "dist", ".tools", "coverage"]);
const isSource = (f) => /\.(ts|tsx|mts)$/.test(f) && !/\.d\.ts$/.test(f) && !/\.(test|spec)\.tsx?$/.test(f);

function* files(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) return;
  if (st.isFile()) {
    if (isSource(path)) yield path;
    return;
  }
  for (const entry of readdirSync(path).sort()) {
    if (SKIP_DIRS.has(entry)) continue;
    yield* files(join(path, entry));
  }
}

/** The name a reader would look for: the declaration's, else the variable or property it is assigned to. */
function nameOf(node) {
  if (node.name !== undefined && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name !== undefined) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (parent === undefined) return "(anonymous)";
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText();
    return `(callback of ${callee.length > 40 ? `${callee.slice(0, 39)}…` : callee})`;
  }
  return "(anonymous)";
}

const rows = [];
for (const root of roots) {
  for (const file of files(root)) {
    const text = readFileSync(file, "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (
        ts.isFunctionDeclaration(node) ||
        ts.isFunctionExpression(node) ||
        ts.isArrowFunction(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isGetAccessorDeclaration(node) ||
        ts.isSetAccessorDeclaration(node) ||
        ts.isConstructorDeclaration(node)
      ) {
        if (node.body !== undefined) {
          const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
          rows.push({ file: relative(process.cwd(), file), line: start, name: nameOf(node), lines: end - start + 1 });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

rows.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
const shown = over === null ? rows.slice(0, top) : rows.filter((r) => r.lines > over);
if (json) console.log(JSON.stringify(shown, null, 2));
else {
  for (const r of shown) console.log(`${String(r.lines).padStart(5)}  ${r.name}  ${r.file}:${r.line}`);
  if (over !== null) console.log(`${shown.length} function(s) over ${over} lines`);
}
if (over !== null && shown.length > 0) process.exitCode = 1;
