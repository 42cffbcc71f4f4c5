import { describe, expect, it } from 'vitest';
import { parseBedrockModelId } from './bedrock-model-id';
import type { BedrockModelId } from './types';

type Expected = Omit<BedrockModelId, 'raw'> | undefined;

// Every row of the grammar in research/gateways.md §5.1.
const table: Array<[string, Expected]> = [
  // Foundation models, suffix `-vN:M`
  ['anthropic.claude-3-5-sonnet-20240620-v1:0', { kind: 'foundation-model', vendor: 'anthropic', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', version: 'v1:0' }],
  ['anthropic.claude-haiku-4-5-20251001-v1:0', { kind: 'foundation-model', vendor: 'anthropic', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', version: 'v1:0' }],
  ['meta.llama3-8b-instruct-v1:0', { kind: 'foundation-model', vendor: 'meta', model: 'meta.llama3-8b-instruct-v1:0', version: 'v1:0' }],
  ['meta.llama3-1-405b-instruct-v1:0', { kind: 'foundation-model', vendor: 'meta', model: 'meta.llama3-1-405b-instruct-v1:0', version: 'v1:0' }],
  ['amazon.nova-lite-v1:0', { kind: 'foundation-model', vendor: 'amazon', model: 'amazon.nova-lite-v1:0', version: 'v1:0' }],
  ['amazon.nova-2-lite-v1:0', { kind: 'foundation-model', vendor: 'amazon', model: 'amazon.nova-2-lite-v1:0', version: 'v1:0' }],
  ['cohere.command-r-v1:0', { kind: 'foundation-model', vendor: 'cohere', model: 'cohere.command-r-v1:0', version: 'v1:0' }],
  ['ai21.jamba-1-5-mini-v1:0', { kind: 'foundation-model', vendor: 'ai21', model: 'ai21.jamba-1-5-mini-v1:0', version: 'v1:0' }],
  ['mistral.pixtral-large-2502-v1:0', { kind: 'foundation-model', vendor: 'mistral_ai', model: 'mistral.pixtral-large-2502-v1:0', version: 'v1:0' }],
  ['deepseek.r1-v1:0', { kind: 'foundation-model', vendor: 'deepseek', model: 'deepseek.r1-v1:0', version: 'v1:0' }],
  ['qwen.qwen3-32b-v1:0', { kind: 'foundation-model', vendor: 'alibaba', model: 'qwen.qwen3-32b-v1:0', version: 'v1:0' }],
  // Three-part versions (context-window variants)
  ['anthropic.claude-v2:1:200k', { kind: 'foundation-model', vendor: 'anthropic', model: 'anthropic.claude-v2:1:200k', version: 'v2:1:200k' }],
  ['amazon.nova-pro-v1:0:300k', { kind: 'foundation-model', vendor: 'amazon', model: 'amazon.nova-pro-v1:0:300k', version: 'v1:0:300k' }],
  // `-vN`
  ['anthropic.claude-opus-4-6-v1', { kind: 'foundation-model', vendor: 'anthropic', model: 'anthropic.claude-opus-4-6-v1', version: 'v1' }],
  ['amazon.titan-text-express-v1', { kind: 'foundation-model', vendor: 'amazon', model: 'amazon.titan-text-express-v1', version: 'v1' }],
  // `vN:M` with the vendor revision inside the name
  ['mistral.mistral-7b-instruct-v0:2', { kind: 'foundation-model', vendor: 'mistral_ai', model: 'mistral.mistral-7b-instruct-v0:2', version: 'v0:2' }],
  ['amazon.titan-embed-text-v2:0', { kind: 'foundation-model', vendor: 'amazon', model: 'amazon.titan-embed-text-v2:0', version: 'v2:0' }],
  ['cohere.embed-v4:0', { kind: 'foundation-model', vendor: 'cohere', model: 'cohere.embed-v4:0', version: 'v4:0' }],
  // `-N:M`
  ['openai.gpt-oss-120b-1:0', { kind: 'foundation-model', vendor: 'openai', model: 'openai.gpt-oss-120b-1:0', version: '1:0' }],
  ['openai.gpt-oss-20b-1:0', { kind: 'foundation-model', vendor: 'openai', model: 'openai.gpt-oss-20b-1:0', version: '1:0' }],
  // `vNN`
  ['cohere.command-text-v14', { kind: 'foundation-model', vendor: 'cohere', model: 'cohere.command-text-v14', version: 'v14' }],
  // No version, dots inside the name
  ['deepseek.v3.2', { kind: 'foundation-model', vendor: 'deepseek', model: 'deepseek.v3.2' }],
  ['minimax.minimax-m2.5', { kind: 'foundation-model', vendor: 'minimax', model: 'minimax.minimax-m2.5' }],
  ['moonshotai.kimi-k2.5', { kind: 'foundation-model', vendor: 'moonshot_ai', model: 'moonshotai.kimi-k2.5' }],
  ['moonshot.kimi-k2-thinking', { kind: 'foundation-model', vendor: 'moonshot_ai', model: 'moonshot.kimi-k2-thinking' }],
  ['zai.glm-4.7-flash', { kind: 'foundation-model', vendor: 'zai', model: 'zai.glm-4.7-flash' }],
  ['nvidia.nemotron-nano-9b-v2', { kind: 'foundation-model', vendor: 'nvidia', model: 'nvidia.nemotron-nano-9b-v2', version: 'v2' }],
  ['google.gemma-3-27b-it', { kind: 'foundation-model', vendor: 'google', model: 'google.gemma-3-27b-it' }],
  ['writer.palmyra-x5-v1:0', { kind: 'foundation-model', vendor: 'writer', model: 'writer.palmyra-x5-v1:0', version: 'v1:0' }],
  ['stability.sd3-5-large-v1:0', { kind: 'foundation-model', vendor: 'stability', model: 'stability.sd3-5-large-v1:0', version: 'v1:0' }],
  // The seven geography prefixes
  ['us.anthropic.claude-haiku-4-5-20251001-v1:0', { kind: 'inference-profile', geography: 'us', vendor: 'anthropic', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', version: 'v1:0' }],
  ['eu.amazon.nova-pro-v1:0', { kind: 'inference-profile', geography: 'eu', vendor: 'amazon', model: 'amazon.nova-pro-v1:0', version: 'v1:0' }],
  ['apac.anthropic.claude-3-5-sonnet-20240620-v1:0', { kind: 'inference-profile', geography: 'apac', vendor: 'anthropic', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', version: 'v1:0' }],
  ['us-gov.anthropic.claude-3-haiku-20240307-v1:0', { kind: 'inference-profile', geography: 'us-gov', vendor: 'anthropic', model: 'anthropic.claude-3-haiku-20240307-v1:0', version: 'v1:0' }],
  ['jp.anthropic.claude-sonnet-4-5-20250929-v1:0', { kind: 'inference-profile', geography: 'jp', vendor: 'anthropic', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', version: 'v1:0' }],
  ['au.anthropic.claude-sonnet-4-6', { kind: 'inference-profile', geography: 'au', vendor: 'anthropic', model: 'anthropic.claude-sonnet-4-6' }],
  ['global.anthropic.claude-sonnet-4-20250514-v1:0', { kind: 'inference-profile', geography: 'global', vendor: 'anthropic', model: 'anthropic.claude-sonnet-4-20250514-v1:0', version: 'v1:0' }],
  ['us.mistral.pixtral-large-2502-v1:0', { kind: 'inference-profile', geography: 'us', vendor: 'mistral_ai', model: 'mistral.pixtral-large-2502-v1:0', version: 'v1:0' }],
  ['us.amazon.nova-micro-v1:0', { kind: 'inference-profile', geography: 'us', vendor: 'amazon', model: 'amazon.nova-micro-v1:0', version: 'v1:0' }],
  // ARNs
  ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0', { kind: 'foundation-model', vendor: 'anthropic', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', version: 'v1:0', arnRegion: 'us-east-1', arnResourceType: 'foundation-model' }],
  ['arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/meta.llama3-8b-instruct-v1:0', { kind: 'foundation-model', vendor: 'meta', model: 'meta.llama3-8b-instruct-v1:0', version: 'v1:0', arnRegion: 'us-gov-west-1', arnResourceType: 'foundation-model' }],
  ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0', { kind: 'inference-profile', geography: 'us', vendor: 'anthropic', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', version: 'v1:0', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'inference-profile' }],
  ['arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6', { kind: 'application-inference-profile', arnRegion: 'eu-west-1', arnAccount: '123456789012', arnResourceType: 'application-inference-profile' }],
  ['arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdef123456', { kind: 'provisioned-model', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'provisioned-model' }],
  ['arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.titan-text-express-v1:0:8k/abc123xyz', { kind: 'custom-model', vendor: 'amazon', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'custom-model' }],
  ['arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/xyz789', { kind: 'custom-model', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'custom-model-deployment' }],
  ['arn:aws:bedrock:us-west-2:123456789012:imported-model/k2a3b4c5d6', { kind: 'imported-model', arnRegion: 'us-west-2', arnAccount: '123456789012', arnResourceType: 'imported-model' }],
  ['arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1', { kind: 'prompt-router', vendor: 'anthropic', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'default-prompt-router' }],
  ['arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/meta.llama:1', { kind: 'prompt-router', vendor: 'meta', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'default-prompt-router' }],
  ['arn:aws:bedrock:us-east-1:123456789012:prompt-router/r8x7y6', { kind: 'prompt-router', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'prompt-router' }],
  ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-marketplace-endpoint', { kind: 'marketplace-model', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'endpoint' }],
  // Percent-encoded, as in runtime URL paths
  ['anthropic.claude-3-5-sonnet-20240620-v1%3A0', { kind: 'foundation-model', vendor: 'anthropic', model: 'anthropic.claude-3-5-sonnet-20240620-v1:0', version: 'v1:0' }],
  ['arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3', { kind: 'application-inference-profile', arnRegion: 'us-east-1', arnAccount: '123456789012', arnResourceType: 'application-inference-profile' }],
  // Not Bedrock model IDs
  ['gpt-4o', undefined],
  ['gpt-4.1', undefined],
  ['gemini-1.5-pro', undefined],
  ['anthropic/claude-haiku-4.5', undefined],
  ['', undefined],
  ['arn:aws:s3:::my-bucket/key', undefined],
  ['arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB123', undefined],
];

describe('parseBedrockModelId', () => {
  it('covers at least 40 identifiers', () => {
    expect(table.filter(([, expected]) => expected !== undefined).length).toBeGreaterThanOrEqual(40);
  });

  it.each(table)('%s', (id, expected) => {
    const parsed = parseBedrockModelId(id);
    if (expected === undefined) {
      expect(parsed).toBeUndefined();
      return;
    }
    const { raw, ...rest } = parsed ?? { raw: undefined };
    expect(rest).toEqual(expected);
    expect(raw).toBe(decodeURIComponent(id));
  });

  it('accepts an unverified geography prefix only before a known vendor', () => {
    expect(parseBedrockModelId('ca.anthropic.claude-sonnet-4-6')).toMatchObject({ kind: 'inference-profile', geography: 'ca' });
    expect(parseBedrockModelId('ca.example-model')).toMatchObject({ kind: 'foundation-model', vendor: 'ca' });
  });

  it('never throws on malformed input', () => {
    for (const id of ['%E0%A4%A', 'arn:', 'arn:aws:bedrock', '.', 'us.', 'us..x', null, 42, {}]) {
      expect(() => parseBedrockModelId(id as string)).not.toThrow();
    }
  });

  it('answers a repeated ID with an equal, independent result', () => {
    const id = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0';
    const first = parseBedrockModelId(id)!;
    first.vendor = 'changed by the caller';
    const second = parseBedrockModelId(id);
    expect(second).toMatchObject({ kind: 'inference-profile', geography: 'us', vendor: 'anthropic', arnRegion: 'us-east-1' });
    expect(second).not.toBe(first);
    expect(parseBedrockModelId('not a bedrock id')).toBeUndefined();
    expect(parseBedrockModelId('not a bedrock id')).toBeUndefined();
  });
});
