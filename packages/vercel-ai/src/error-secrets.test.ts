import { createOpenAI } from '@ai-sdk/openai';
import { generateText, wrapLanguageModel } from 'ai';
import { describe, expect, it } from 'vitest';
import { routeMiddleware } from './route-middleware';
import { createTestTelemetry } from './testing/harness';

// Issue 12: a base URL with `user:pass@` put the credentials into the exception events and status
// of servedby's spans, through the AI SDK's error message (which quotes the URL).
describe('error messages on servedby spans', () => {
  it('carry no URL credentials or query string', async () => {
    const telemetry = createTestTelemetry();
    const model = createOpenAI({ baseURL: 'http://user:CRED-SECRET@127.0.0.1:1/v1?api-key=KEY-SECRET', apiKey: 'sk-test' }).chat('gpt-4o');
    const wrapped = wrapLanguageModel({ model, middleware: routeMiddleware({ tracerProvider: telemetry.tracerProvider }) });
    const error = await generateText({ model: wrapped, prompt: 'Hi', maxRetries: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const spans = telemetry.spans();
    expect(spans.length).toBeGreaterThan(0);
    const recorded = JSON.stringify(spans.map((span) => [span.status, span.events, span.attributes]));
    expect(recorded).not.toContain('CRED-SECRET');
    expect(recorded).not.toContain('KEY-SECRET');
  });
});
