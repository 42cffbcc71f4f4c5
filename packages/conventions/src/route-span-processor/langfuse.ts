import type { Attributes } from '@opentelemetry/api';
import { compactFacts, type PeerSpanReader, stringAttribute } from './peer-spans';

/**
 * Langfuse `generation` observations (`@langfuse/langchain` `CallbackHandler`). Seen over
 * gateway-sim: `langfuse.observation.model.name` (the served model on a JSON answer; on a stream
 * LangChain concatenates it once per chunk), `langfuse.observation.metadata.ls_provider` (a client
 * label) and `ls_model_name`. No response id, URL, header or body field survives, so nothing on
 * these spans may decide a gateway or an upstream.
 */
export const langfuseReader: PeerSpanReader = {
  peer: 'langfuse',
  read(attributes: Attributes) {
    if (attributes['langfuse.observation.type'] !== 'generation') return undefined;
    return compactFacts({
      peer: 'langfuse',
      requestModel: stringAttribute(attributes, 'langfuse.observation.metadata.ls_model_name'),
      clientLabel: stringAttribute(attributes, 'langfuse.observation.metadata.ls_provider'),
    });
  },
};
