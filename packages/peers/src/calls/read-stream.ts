/**
 * Reads a stream to its end, joining the text `textOf` finds in each chunk; `onFirstChunk` is
 * called once, on the first chunk that carries text (time to first chunk).
 */
export async function readStream<Chunk>(stream: AsyncIterable<Chunk>, textOf: (chunk: Chunk) => string | undefined, onFirstChunk?: () => void): Promise<string> {
  let text = '';
  let first = true;
  for await (const chunk of stream) {
    const part = textOf(chunk);
    if (part === undefined) continue;
    if (first) {
      first = false;
      onFirstChunk?.();
    }
    text += part;
  }
  return text;
}
