import { describe, expect, it } from 'vitest';
import { colorOf } from './dom';

describe('upstream colours', () => {
  it('gives the common upstreams distinct colours, at least 12, the same on every call', () => {
    const names = ['anthropic', 'together', 'openai', 'gcp.vertex_ai', 'aws.bedrock', 'azure.ai.openai', 'gcp.gemini', 'mistral_ai', 'meta', 'groq', 'deepseek', 'fireworks', 'cohere', 'x_ai'];
    const colors = names.map(colorOf);
    expect(new Set(colors).size).toBe(names.length);
    expect(colorOf('together')).not.toBe(colorOf('azure.ai.openai'));
    expect(names.map(colorOf)).toEqual(colors);
    expect(colorOf('some-new-provider')).toMatch(/^#[0-9a-f]{6}$/);
    expect(colorOf('some-new-provider')).toBe(colorOf('some-new-provider'));
  });
});
