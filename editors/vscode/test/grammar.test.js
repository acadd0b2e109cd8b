// Checks the TextMate grammar as data: every regex compiles with Oniguruma
// (the engine VS Code uses), every `#include` names a repository entry, and
// the package manifest points at the grammar and the language
// configuration. Run with `node --test test/`.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const oniguruma = require('vscode-oniguruma');

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const grammarPath = path.join(root, 'syntaxes', 'fsm.tmLanguage.json');
const grammar = JSON.parse(fs.readFileSync(grammarPath, 'utf8'));

/** Every rule object of the grammar, with where it sits. */
function rules(node, where, out) {
  if (Array.isArray(node)) {
    node.forEach((child, i) => rules(child, `${where}[${i}]`, out));
  } else if (node && typeof node === 'object') {
    out.push({ rule: node, where });
    for (const [key, child] of Object.entries(node)) {
      rules(child, `${where}.${key}`, out);
    }
  }
  return out;
}

const all = rules(grammar, '$', []);

test('every regex compiles with Oniguruma', async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  let count = 0;
  for (const { rule, where } of all) {
    for (const key of ['match', 'begin', 'end', 'while']) {
      if (typeof rule[key] !== 'string') continue;
      count += 1;
      assert.doesNotThrow(
        () => new oniguruma.OnigScanner([rule[key]]).dispose(),
        `${where}.${key} does not compile: ${rule[key]}`,
      );
    }
  }
  assert.ok(count > 20, `only ${count} regexes found`);
});

test('every include names a repository entry', () => {
  const repository = grammar.repository || {};
  for (const { rule, where } of all) {
    if (typeof rule.include !== 'string' || !rule.include.startsWith('#')) continue;
    assert.ok(rule.include.slice(1) in repository, `${where}: unknown ${rule.include}`);
  }
});

test('every scope name ends with the language suffix', () => {
  for (const { rule, where } of all) {
    if (typeof rule.name !== 'string' || where === '$') continue;
    for (const scope of rule.name.split(/\s+/)) {
      assert.match(scope, /\.fsm$/, `${where}: scope ${scope}`);
    }
  }
});

test('the manifest contributes the language and the grammar', () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'fsm');
  assert.deepEqual(language.extensions, ['.fsm']);
  assert.ok(fs.existsSync(path.join(root, language.configuration)));
  const [contributed] = manifest.contributes.grammars;
  assert.equal(contributed.scopeName, grammar.scopeName);
  assert.equal(path.resolve(root, contributed.path), grammarPath);
  const config = JSON.parse(
    fs.readFileSync(path.join(root, language.configuration), 'utf8'),
  );
  assert.equal(config.comments.lineComment, '//');
  assert.equal(manifest.contributes.configuration.properties['fsm.server.path'].default, 'fsm');
});
