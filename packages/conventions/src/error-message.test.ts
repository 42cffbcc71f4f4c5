import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorMessageOf, exceptionForSpan, scrubErrorMessage } from './error-message';

describe('scrubErrorMessage', () => {
  it('drops credentials, query strings and fragments of every URL in the text', () => {
    expect(scrubErrorMessage('Failed to fetch https://user:pa55@gw.example/v1/chat/completions?api-key=K#x (401)')).toBe(
      'Failed to fetch https://gw.example/v1/chat/completions (401)',
    );
    expect(scrubErrorMessage('a http://x:y@a.example/p?k=1 and https://b.example/q?token=2 end')).toBe('a http://a.example/p and https://b.example/q end');
    expect(scrubErrorMessage('no url here')).toBe('no url here');
    expect(scrubErrorMessage('')).toBeUndefined();
    expect(scrubErrorMessage(42)).toBeUndefined();
  });

  it('never leaves a credential or query value in the text, whatever surrounds the URL', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).map((text) => text.replace(/[a-z]:\/\//gi, '')),
        fc.constantFrom('https', 'http', 'wss'),
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        fc.stringMatching(/^[a-z0-9.-]{1,30}$/),
        (prefix, scheme, secret, host) => {
          const text = `${prefix} ${scheme}://user:S3CR3T${secret}@${host}/v1/x?api-key=K3Y${secret}#F${secret} tail`;
          const scrubbed = scrubErrorMessage(text)!;
          expect(scrubbed).not.toContain(`S3CR3T${secret}`);
          expect(scrubbed).not.toContain(`K3Y${secret}`);
          expect(scrubbed.length).toBeLessThanOrEqual(1024);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('scrubs an error and its stack for exception events', () => {
    const error = new TypeError('request to https://u:p@gw.example/v1?key=K failed');
    expect(errorMessageOf(error)).toBe('request to https://gw.example/v1 failed');
    const exception = exceptionForSpan(error);
    expect(exception.name).toBe('TypeError');
    expect(JSON.stringify(exception)).not.toMatch(/u:p@|key=K/);
  });
});
