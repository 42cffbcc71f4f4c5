/** One AWS event-stream message: string headers and a payload. */
export interface EventStreamMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let value = index;
    for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[index] = value;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3), as the event-stream prelude and message checksums use. */
export function crc32(data: Uint8Array): number {
  let crc = -1;
  for (let index = 0; index < data.length; index += 1) crc = CRC_TABLE[(crc ^ data[index]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * Encodes one message in `application/vnd.amazon.eventstream` framing: total length, headers
 * length, prelude CRC, headers (type 7 = string), payload, message CRC.
 */
export function encodeEventStreamMessage(message: EventStreamMessage): Buffer {
  const headerParts: Buffer[] = [];
  for (const [name, value] of Object.entries(message.headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const part = Buffer.alloc(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    part.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(part, 1);
    part.writeUInt8(7, 1 + nameBytes.length);
    part.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
    valueBytes.copy(part, 4 + nameBytes.length);
    headerParts.push(part);
  }
  const headers = Buffer.concat(headerParts);
  const totalLength = 12 + headers.length + message.payload.length + 4;
  const output = Buffer.alloc(totalLength);
  output.writeUInt32BE(totalLength, 0);
  output.writeUInt32BE(headers.length, 4);
  output.writeUInt32BE(crc32(output.subarray(0, 8)), 8);
  headers.copy(output, 12);
  message.payload.copy(output, 12 + headers.length);
  output.writeUInt32BE(crc32(output.subarray(0, totalLength - 4)), totalLength - 4);
  return output;
}

/** Decodes concatenated event-stream messages (string headers only), checking both CRCs. */
export function decodeEventStreamMessages(data: Buffer): EventStreamMessage[] {
  const messages: EventStreamMessage[] = [];
  let offset = 0;
  while (offset + 16 <= data.length) {
    const totalLength = data.readUInt32BE(offset);
    const headersLength = data.readUInt32BE(offset + 4);
    const frame = data.subarray(offset, offset + totalLength);
    if (crc32(frame.subarray(0, 8)) !== frame.readUInt32BE(8)) throw new Error('event-stream prelude CRC mismatch');
    if (crc32(frame.subarray(0, totalLength - 4)) !== frame.readUInt32BE(totalLength - 4)) {
      throw new Error('event-stream message CRC mismatch');
    }
    const headers: Record<string, string> = {};
    let cursor = 12;
    while (cursor < 12 + headersLength) {
      const nameLength = frame.readUInt8(cursor);
      const name = frame.subarray(cursor + 1, cursor + 1 + nameLength).toString('utf8');
      const type = frame.readUInt8(cursor + 1 + nameLength);
      if (type !== 7) throw new Error(`unsupported event-stream header type ${type}`);
      const valueLength = frame.readUInt16BE(cursor + 2 + nameLength);
      headers[name] = frame.subarray(cursor + 4 + nameLength, cursor + 4 + nameLength + valueLength).toString('utf8');
      cursor += 4 + nameLength + valueLength;
    }
    messages.push({ headers, payload: Buffer.from(frame.subarray(12 + headersLength, totalLength - 4)) });
    offset += totalLength;
  }
  return messages;
}
