import type { Attributes } from '@opentelemetry/api';
import { aiSdkReader } from './ai-sdk';
import { awsSdkReader } from './aws-sdk';
import { langfuseReader } from './langfuse';
import { openInferenceReader } from './openinference';
import type { PeerSpanFacts, PeerSpanReader } from './peer-spans';
import { semconvReader } from './semconv';

/**
 * The peer span readers, most specific first: a span is read by the first that recognises it.
 * Adding a peer = one reader module + one line here + its end-to-end test in `packages/peers`.
 */
export const PEER_SPAN_READERS: readonly PeerSpanReader[] = [
  openInferenceReader,
  aiSdkReader,
  awsSdkReader,
  langfuseReader,
  semconvReader,
];

/** The facts of a model-call span, from the first reader that recognises it; `undefined` otherwise. */
export function readPeerSpan(attributes: Attributes): PeerSpanFacts | undefined {
  for (const reader of PEER_SPAN_READERS) {
    const facts = reader.read(attributes);
    if (facts === null) return undefined;
    if (facts !== undefined) return facts;
  }
  return undefined;
}
