import { describe, expect, it } from 'vitest';
import converseRecording from './__fixtures__/bedrock-converse-cross-region-profile.json';
import invokeRecording from './__fixtures__/bedrock-invokemodel-claude-msg_bdrk.json';
import {
  converseFacts,
  createConverseStreamReader,
  createInvokeStreamReader,
  headerUsage,
  invokeModelFacts,
} from './bedrock-response';

const lowerCaseKeys = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const chunk = (value: unknown) => ({ chunk: { bytes: bytes(value) } });

describe('converseFacts', () => {
  it('adds cache writes to the input count of a recorded cross-region Converse response', () => {
    const facts = converseFacts(converseRecording.response.body);
    expect(facts).toEqual({
      // inputTokens 10 + cacheWriteInputTokens 7351: semconv input counts include cache tokens
      usage: { inputTokens: 7361, outputTokens: 4, cacheReadInputTokens: 0, cacheCreationInputTokens: 7351 },
      finishReasons: ['end_turn'],
      routeBody: undefined,
    });
  });

  it('hands only the prompt router trace to deriveRoute', () => {
    const trace = { promptRouter: { invokedModelId: 'arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-1-8b-instruct-v1:0' } };
    expect(converseFacts({ stopReason: 'end_turn', trace, output: { message: { content: [{ text: 'secret' }] } } }).routeBody).toEqual({ trace });
  });

  it('tolerates missing and malformed fields', () => {
    expect(converseFacts(undefined)).toEqual({ usage: undefined, finishReasons: undefined, routeBody: undefined });
    expect(converseFacts({ usage: { inputTokens: 'x' }, stopReason: 7 }).usage).toBeUndefined();
  });
});

describe('invokeModelFacts', () => {
  it('reads a recorded Anthropic InvokeModel exchange: billed header counts, id, stop reason', () => {
    const headers = lowerCaseKeys(invokeRecording.response.headers);
    const facts = invokeModelFacts(bytes(invokeRecording.response.body), headers);
    expect(facts.usage).toEqual({ inputTokens: 13, outputTokens: 35 });
    expect(facts.finishReasons).toEqual(['end_turn']);
    expect(facts.responseId).toBe('msg_bdrk_01M7yZYBn3yhYTyMxjQK781b');
    expect(facts.routeBody).toMatchObject({ model: 'claude-3-5-sonnet-20240620' });
  });

  it.each([
    ['Nova', { output: {}, stopReason: 'end_turn', usage: { inputTokens: 3, outputTokens: 4, cacheReadInputTokenCount: 2 } }, { inputTokens: 5, outputTokens: 4, cacheReadInputTokens: 2 }, 'end_turn'],
    ['Titan text', { inputTextTokenCount: 3, results: [{ tokenCount: 4, completionReason: 'FINISH' }] }, { inputTokens: 3, outputTokens: 4 }, 'FINISH'],
    ['Titan embeddings', { embedding: [0.1], inputTextTokenCount: 6 }, { inputTokens: 6 }, undefined],
    ['Llama', { generation: 'hi', prompt_token_count: 3, generation_token_count: 4, stop_reason: 'stop' }, { inputTokens: 3, outputTokens: 4 }, 'stop'],
    ['Mistral', { outputs: [{ text: 'hi', stop_reason: 'length' }] }, undefined, 'length'],
    ['Cohere Command R', { text: 'hi', finish_reason: 'COMPLETE' }, undefined, 'COMPLETE'],
    [
      'OpenAI-shaped (AI21, gpt-oss)',
      { id: 'chatcmpl-1', choices: [{ finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 5 }, completion_tokens_details: { reasoning_tokens: 2 } } },
      { inputTokens: 9, outputTokens: 4, cacheReadInputTokens: 5, reasoningTokens: 2 },
      'stop',
    ],
  ])('reads %s bodies', (_vendor, body, usage, finishReason) => {
    const facts = invokeModelFacts(bytes(body), {});
    expect(facts.usage).toEqual(usage);
    expect(facts.finishReasons).toEqual(finishReason ? [finishReason] : undefined);
  });

  it('lets header counts win over the body and ignores non-JSON bodies', () => {
    expect(invokeModelFacts(bytes({ usage: { input_tokens: 1, output_tokens: 1 } }), { 'x-amzn-bedrock-output-token-count': '9' }).usage).toEqual({
      inputTokens: 1,
      outputTokens: 9,
    });
    expect(invokeModelFacts(new Uint8Array([0xff, 0xfe, 0x00]), {})).toEqual({
      usage: undefined,
      finishReasons: undefined,
      responseId: undefined,
      routeBody: undefined,
    });
  });

  it('leaves bodies above the parse limit to the headers', () => {
    const large = bytes({ embedding: new Array(200_000).fill(0.123456), inputTextTokenCount: 6 });
    expect(large.byteLength).toBeGreaterThan(1024 * 1024);
    expect(invokeModelFacts(large, { 'x-amzn-bedrock-input-token-count': '6' }).usage).toEqual({ inputTokens: 6 });
    expect(invokeModelFacts(large, {}).routeBody).toBeUndefined();
  });

  it('reads cache header counts into the input total', () => {
    expect(
      headerUsage({
        'x-amzn-bedrock-input-token-count': '10',
        'x-amzn-bedrock-cache-read-input-token-count': '20',
        'x-amzn-bedrock-cache-write-input-token-count': '5',
      }),
    ).toEqual({ inputTokens: 35, cacheReadInputTokens: 20, cacheCreationInputTokens: 5 });
    expect(headerUsage({})).toBeUndefined();
  });
});

describe('stream readers', () => {
  it('ConverseStream: stop reason from messageStop, usage and router trace from metadata', () => {
    const reader = createConverseStreamReader();
    reader.read({ messageStart: { role: 'assistant' } });
    reader.read({ contentBlockDelta: { delta: { text: 'hi' } } });
    reader.read({ messageStop: { stopReason: 'max_tokens' } });
    reader.read({ metadata: { usage: { inputTokens: 1, outputTokens: 2 }, trace: { promptRouter: { invokedModelId: 'x' } } } });
    expect(reader.facts()).toEqual({
      finishReasons: ['max_tokens'],
      usage: { inputTokens: 1, outputTokens: 2 },
      routeBody: { trace: { promptRouter: { invokedModelId: 'x' } } },
    });
  });

  it('InvokeModelWithResponseStream (Anthropic): model and id from message_start, counts from invocation metrics', () => {
    const reader = createInvokeStreamReader();
    reader.read(chunk({ type: 'message_start', message: { id: 'msg_bdrk_1', model: 'claude-x', usage: { input_tokens: 3, output_tokens: 1 } } }));
    reader.read(chunk({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'hi' } }));
    reader.read(chunk({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } }));
    reader.read(chunk({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 3, outputTokenCount: 7 } }));
    reader.read({ internalServerException: { message: 'not a chunk' } });
    const facts = reader.facts();
    expect(facts.routeBody).toMatchObject({ id: 'msg_bdrk_1', model: 'claude-x' });
    expect(facts.responseId).toBe('msg_bdrk_1');
    expect(facts.finishReasons).toEqual(['end_turn']);
    expect(facts.usage).toEqual({ inputTokens: 3, outputTokens: 7 });
  });
});
