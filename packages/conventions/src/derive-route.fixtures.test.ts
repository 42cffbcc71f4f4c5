import { describe, expect, it } from 'vitest';
import { fixtureFiles, loadFixture, observationOf } from './__fixtures__/load-fixtures';
import { deriveRoute } from './derive-route';
import type { RouteAttribution } from './types';

// The whole attribution for every recorded exchange. Where a fixture's `expected_attribution`
// (the collector's reading) differs, DESIGN.md §2.3 decides the vocabulary: Azure and Bedrock
// are gateways (multi-vendor clouds) whose upstream is the model vendor.
const expected: Record<string, RouteAttribution> = {
  'azure-foundry-models-chat-completions-grok.json': {
    system: 'azure.ai.inference',
    gateway: 'azure.ai.inference',
    upstream: 'x_ai',
    path: [
      'azure.ai.inference',
      'x_ai'
    ],
    requestModel: 'grok-4-1-fast-non-reasoning',
    responseModel: 'grok-4-1-fast-non-reasoning',
    region: 'westeurope',
    requestId: '35291579-6eb5-40c9-8400-602876ee500d',
    evidence: [
      'body.model',
      'url'
    ]
  },
  'azure-foundry-openai-v1-responses-served-model.json': {
    system: 'azure.ai.openai',
    gateway: 'azure.ai.openai',
    upstream: 'openai',
    path: [
      'azure.ai.openai',
      'openai'
    ],
    requestModel: 'gpt-5-nano',
    responseModel: 'gpt-5-nano-2025-08-07',
    deployment: 'gpt-5-nano',
    region: 'westeurope',
    requestId: 'b568f9f5-c33e-4def-9bb6-0eff794a5470',
    fallback: false,
    evidence: [
      'header.x-ms-served-model',
      'url'
    ]
  },
  'azure-openai-deployments-chat-completions.json': {
    system: 'azure.ai.openai',
    gateway: 'azure.ai.openai',
    upstream: 'openai',
    path: [
      'azure.ai.openai',
      'openai'
    ],
    requestModel: 'gpt-4o',
    responseModel: 'gpt-4o-2024-11-20',
    deployment: 'gpt-4o',
    requestId: '1d93fae1-cb8e-4789-8fb6-d26577a3cb77',
    evidence: [
      'body.model',
      'url'
    ]
  },
  'bedrock-converse-cross-region-profile.json': {
    system: 'aws.bedrock',
    gateway: 'aws.bedrock',
    upstream: 'anthropic',
    path: [
      'aws.bedrock',
      'anthropic'
    ],
    requestModel: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    responseModel: 'anthropic.claude-haiku-4-5-20251001-v1:0',
    regionScope: 'us',
    requestId: '45612a34-d3f1-413c-8558-4b9fe143df20',
    evidence: [
      'url',
      'model_id'
    ]
  },
  'bedrock-invokemodel-claude-msg_bdrk.json': {
    system: 'aws.bedrock',
    gateway: 'aws.bedrock',
    upstream: 'anthropic',
    path: [
      'aws.bedrock',
      'anthropic'
    ],
    requestModel: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    responseModel: 'claude-3-5-sonnet-20240620',
    region: 'us-east-1',
    awsRegion: 'us-east-1',
    requestId: 'e8f4ed99-bc33-4bf7-ba51-7ec61d3d57f0',
    evidence: [
      'body.model',
      'url',
      'model_id'
    ]
  },
  'hf-router-served-by-groq-x_groq.json': {
    system: 'huggingface',
    gateway: 'huggingface',
    upstream: 'groq',
    path: [
      'huggingface',
      'groq'
    ],
    requestModel: 'moonshotai/Kimi-K2-Instruct-0905:groq',
    responseModel: 'moonshotai/kimi-k2-instruct-0905',
    evidence: [
      'body.model',
      'body.x_groq',
      'url'
    ]
  },
  'litellm-proxy-headers-docs-curl.json': {
    system: 'litellm',
    gateway: 'litellm',
    upstream: 'azure.ai.openai',
    path: [
      'litellm',
      'azure.ai.openai'
    ],
    requestModel: 'gpt-3.5-turbo',
    deployment: 'cb41bc03f4c33d310019bae8c5afdb1af0a8f97b36a234405a9807614988457c',
    // DESIGN.md §2.6 (second round): `x-litellm-response-cost`.
    cost: 0.0000285,
    requestId: 'b980db26-9512-45cc-b1da-c511a363b83f',
    evidence: [
      'header.x-litellm-model-api-base',
      'header.x-litellm-call-id'
    ]
  },
  'litellm-proxy-headers-issue-16534.json': {
    system: 'litellm',
    gateway: 'litellm',
    requestModel: 'gpt-5-codex',
    deployment: '6547301ee90daf79542556b72802d5d17dc0f88e8bd105e16b024ad63a251a74',
    // DESIGN.md §2.6 (second round): `x-litellm-response-cost`.
    cost: 0.0033387500000000006,
    requestId: '9acfdfee-cea6-40f0-822a-6eca29e25d06',
    evidence: [
      'header.x-litellm-call-id'
    ]
  },
  'openai-direct-responses-headers.json': {
    system: 'openai',
    upstream: 'openai',
    requestModel: 'gpt-5-nano',
    responseModel: 'gpt-5-nano-2025-08-07',
    requestId: '<X_REQUEST_ID>',
    evidence: [
      'body.model',
      'url'
    ]
  },
  'openrouter-chat-nonstream-amazon-bedrock.json': {
    system: 'openrouter',
    gateway: 'openrouter',
    upstream: 'aws.bedrock',
    path: [
      'openrouter',
      'aws.bedrock',
      'anthropic'
    ],
    requestModel: 'anthropic/claude-haiku-4.5',
    responseModel: 'anthropic/claude-4.5-haiku-20251001',
    requestId: 'gen-1780944464-aVi4x8Mw2aEBGnCL6z99',
    // DESIGN.md §2.6 (second round): the gateway's own cost report.
    cost: 0.000081,
    evidence: [
      'body.provider',
      'body.model',
      'url'
    ]
  },
  'openrouter-chat-stream-sse-amazon-bedrock.json': {
    system: 'openrouter',
    gateway: 'openrouter',
    upstream: 'aws.bedrock',
    path: [
      'openrouter',
      'aws.bedrock',
      'anthropic'
    ],
    requestModel: 'anthropic/claude-haiku-4.5',
    responseModel: 'anthropic/claude-4.5-haiku-20251001',
    requestId: 'gen-1780944361-X5HAtL0Z2NQp8nHAiT6F',
    // DESIGN.md §2.6 (second round): the gateway's own cost report.
    cost: 0.00006,
    evidence: [
      'body.provider',
      'body.model',
      'url'
    ]
  },
  'openrouter-images-x-provider-name.json': {
    system: 'openrouter',
    gateway: 'openrouter',
    upstream: 'gcp.gemini',
    path: [
      'openrouter',
      'gcp.gemini'
    ],
    requestModel: 'google/gemini-3.1-flash-lite-image',
    requestId: 'gen-img-1786572320-kjQhpPqI7jCgR4kQGMD4',
    // DESIGN.md §2.6 (second round): the gateway's own cost report.
    cost: 0.03422675,
    evidence: [
      'header.x-provider-name',
      'url'
    ]
  },
  'openrouter-stream-midstream-error-minimax.json': {
    system: 'openrouter',
    gateway: 'openrouter',
    upstream: 'minimax',
    path: [
      'openrouter',
      'minimax'
    ],
    requestModel: 'minimax/minimax-m2:free',
    responseModel: 'minimax/minimax-m2:free',
    requestId: 'gen-1762179802-UN8pkJI4AGZvryk0kFnb',
    // DESIGN.md §2.6 (second round): the gateway's own cost report.
    cost: 0,
    evidence: [
      'body.provider',
      'body.model',
      'url'
    ]
  },
  'vercel-ai-gateway-chat-anthropic-routing.json': {
    system: 'vercel',
    gateway: 'vercel',
    upstream: 'anthropic',
    path: [
      'vercel',
      'anthropic'
    ],
    requestModel: 'anthropic/claude-sonnet-4',
    responseModel: 'claude-sonnet-4-20250514',
    requestId: 'gen_01KKHTSS76ZWQA66RPG21X3C5R',
    attempts: 1,
    fallback: false,
    // DESIGN.md §2.6 (second round): the gateway's own cost report.
    cost: 0.003576,
    evidence: [
      'body.provider_metadata.gateway.routing.finalProvider',
      'body.provider_metadata.gateway.routing.attempts.providerApiModelId',
      'url'
    ]
  },
  'vercel-ai-gateway-fallback-vertex-to-google.json': {
    system: 'vercel',
    gateway: 'vercel',
    upstream: 'gcp.gemini',
    path: [
      'vercel',
      'gcp.gemini'
    ],
    requestModel: 'google/gemini-2.5-flash',
    responseModel: 'gemini-2.5-flash',
    requestId: 'gen_01KKHTPN1QBWX0ERVPTF7D28P2',
    attempts: 2,
    fallback: true,
    // DESIGN.md §2.6 (second round): the gateway's own cost report.
    cost: 0.0001216,
    evidence: [
      'body.provider_metadata.gateway.routing.finalProvider',
      'body.provider_metadata.gateway.routing.attempts.providerApiModelId',
      'url'
    ]
  },
};

describe('deriveRoute over every recorded fixture', () => {
  const files = fixtureFiles();

  it('finds every first-round recording beside its rule', () => {
    expect(files).toEqual(expect.arrayContaining(Object.keys(expected)));
  });

  for (const file of Object.keys(expected)) {
    it(file, () => {
      expect(deriveRoute(observationOf(loadFixture(file)))).toEqual(expected[file]);
    });
  }
});
