// The OpenAPI lint must pass a sound GPT Actions document and fail each rule it exists for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(__dirname, '..', 'e2e', 'openapi-lint.mjs');
const dir = mkdtempSync(join(tmpdir(), 'td-openapi-lint-'));

function lint(doc: unknown): { code: number; output: string } {
  const file = join(dir, `doc-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  try {
    const output = execFileSync(process.execPath, [script, file], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, output };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

function sound(): any {
  return {
    openapi: '3.1.0',
    info: { title: 'tradedesk', version: '0.1.0' },
    servers: [{ url: '/' }],
    paths: {
      '/idea/{plan_id}': {
        get: {
          operationId: 'getIdea',
          summary: 'The latest version of a stored plan',
          parameters: [{ name: 'plan_id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Plan' } } } },
          },
        },
      },
    },
    components: { schemas: { Plan: { type: 'object' } } },
  };
}

describe('openapi-lint', () => {
  it('passes a sound document', () => {
    const result = lint(sound());
    expect(result.output).toContain('GPT Actions rules hold');
    expect(result.code).toBe(0);
  }, 30_000);

  it('fails a document the official schema rejects', () => {
    const doc = sound();
    doc.paths['/idea/{plan_id}'].get.responses = 'none';
    expect(lint(doc).code).toBe(1);
  }, 30_000);

  it('fails each GPT Actions rule', () => {
    const cases: Array<[string, (d: any) => void]> = [
      ['no operationId', (d) => delete d.paths['/idea/{plan_id}'].get.operationId],
      ['longer than 300', (d) => (d.paths['/idea/{plan_id}'].get.summary = 'x'.repeat(301))],
      ['requires header', (d) => d.paths['/idea/{plan_id}'].get.parameters.push({ name: 'X-User-Id', in: 'header', required: true, schema: { type: 'string' } })],
      ['does not resolve', (d) => (d.paths['/idea/{plan_id}'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Missing' })],
      ['not declared', (d) => (d.paths['/idea/{plan_id}'].get.parameters = [])],
      ['servers', (d) => delete d.servers],
    ];
    for (const [message, mutate] of cases) {
      const doc = sound();
      mutate(doc);
      const result = lint(doc);
      expect(result.code, message).toBe(1);
      expect(result.output, message).toContain(message);
    }
  }, 120_000);
});
