#!/usr/bin/env node
// Lints tradedesk's OpenAPI document strictly: first against the official OpenAPI 3.1 JSON schema (an
// independent validator), then against the rules GPT Actions impose. Usage: node e2e/openapi-lint.mjs URL|FILE
import { readFile } from 'node:fs/promises';
import { Validator } from '@seriousme/openapi-schema-validator';

const source = process.argv[2];
if (!source) {
  console.error('usage: openapi-lint.mjs URL|FILE');
  process.exit(2);
}
const text = source.startsWith('http') ? await (await fetch(source)).text() : await readFile(source, 'utf8');
const doc = JSON.parse(text);
const problems = [];

const validator = new Validator();
const result = await validator.validate(doc);
if (!result.valid) {
  for (const error of [result.errors].flat()) {
    problems.push(`schema: ${error.instancePath ?? ''} ${error.message ?? JSON.stringify(error)}`);
  }
}
if (!String(doc.openapi).startsWith('3.1')) problems.push(`openapi must be 3.1.x, is ${doc.openapi}`);
if (!Array.isArray(doc.servers) || doc.servers.length === 0) problems.push('servers: at least one server URL');
if (text.length > 1_000_000) problems.push(`the document is ${text.length} characters (GPT Actions: keep it small)`);

// Every $ref must resolve inside the document.
const resolve = (ref) =>
  ref.startsWith('#/')
    ? ref
        .slice(2)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((node, key) => (node == null ? undefined : node[key]), doc)
    : undefined;
const walk = (node, path) => {
  if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
  else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string' && resolve(node.$ref) === undefined) problems.push(`${path}: $ref ${node.$ref} does not resolve`);
    for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
  }
};
walk(doc, '$');

// GPT Actions: every operation named, described within 300 characters, callable without custom headers, JSON in
// and out, each success answered with a schema.
const ids = new Set();
let operations = 0;
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
    const op = item[method];
    if (!op) continue;
    operations += 1;
    const where = `${method.toUpperCase()} ${path}`;
    if (!op.operationId) problems.push(`${where}: no operationId`);
    else if (!/^[A-Za-z0-9_-]{1,64}$/.test(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is not [A-Za-z0-9_-]{1,64}`);
    else if (ids.has(op.operationId)) problems.push(`${where}: duplicate operationId ${op.operationId}`);
    ids.add(op.operationId);
    if (!op.summary && !op.description) problems.push(`${where}: no summary or description`);
    for (const field of ['summary', 'description']) {
      if ((op[field] ?? '').length > 300) problems.push(`${where}: ${field} longer than 300 characters`);
    }
    for (const param of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
      const p = param.$ref ? resolve(param.$ref) : param;
      if (p?.in === 'header' && p.required) problems.push(`${where}: requires header ${p.name} (GPT Actions cannot send it)`);
      if (p?.in === 'cookie') problems.push(`${where}: cookie parameter ${p.name}`);
      if ((p?.description ?? '').length > 300) problems.push(`${where}: parameter ${p.name} description longer than 300 characters`);
      if (p?.in === 'path' && !path.includes(`{${p.name}}`)) problems.push(`${where}: path parameter ${p.name} is not in the path`);
    }
    for (const name of path.match(/\{[^}]+\}/g) ?? []) {
      const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])].some((p) => (p.$ref ? resolve(p.$ref) : p)?.name === name.slice(1, -1));
      if (!declared) problems.push(`${where}: path parameter ${name} not declared`);
    }
    if (op.requestBody) {
      const body = op.requestBody.$ref ? resolve(op.requestBody.$ref) : op.requestBody;
      const types = Object.keys(body?.content ?? {});
      if (!types.includes('application/json')) problems.push(`${where}: request body is not application/json`);
    }
    const responses = Object.entries(op.responses ?? {});
    if (responses.length === 0) problems.push(`${where}: no responses`);
    for (const [status, response] of responses) {
      const r = response.$ref ? resolve(response.$ref) : response;
      if (!r?.description) problems.push(`${where} ${status}: response without description`);
      if (status.startsWith('2') && status !== '204') {
        const content = r?.content ?? {};
        const json = content['application/json'];
        if (json && !json.schema) problems.push(`${where} ${status}: JSON response without a schema`);
      }
    }
    if ('x-openai-isConsequential' in op && typeof op['x-openai-isConsequential'] !== 'boolean') {
      problems.push(`${where}: x-openai-isConsequential must be a boolean`);
    }
  }
}
if (operations === 0) problems.push('no operations');
if (problems.length > 0) {
  console.error(`OpenAPI lint: ${problems.length} problem(s) in ${source}`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(`OpenAPI lint: ${operations} operations, valid OpenAPI ${validator.version ?? doc.openapi}, GPT Actions rules hold`);
