import { describe, expect, it } from 'vitest';
import { VERSION } from './index';

describe('package', () => {
  it('exports its version: package.json\'s once built, 0.0.0-test from the unbuilt source', () => {
    expect(VERSION).toBe('0.0.0-test');
  });
});
