import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from './registry';

// Issue 11: the walker and the code every rule shares name no gateway, cloud or provider.
const GENERIC_FILES = ['../derive-route.ts', './catalog.ts', './helpers.ts', './rule.ts', '../record-model-call.ts'];

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('the walker', () => {
  const ids = RULES.flatMap((rule) => [rule.id, ...(rule.alsoExpands ?? [])]);

  it.each(GENERIC_FILES)('%s names no rule id outside comments', (file) => {
    const code = withoutComments(readFileSync(join(import.meta.dirname, file), 'utf8'));
    const named = ids.filter((id) => new RegExp(`['"\`]${id.replace(/\./g, '\\.')}['"\`/]`).test(code));
    expect(named).toEqual([]);
  });

  it('has one registry entry per id', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });
});
