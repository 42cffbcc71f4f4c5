import { decodeOtlpJsonRequest, UndecodableRequestError, type DecodedSpans } from '../otlp/decode-json';
import { encodeProtobufRows, type ProtobufRows } from '../otlp/protobuf-rows';
import type { StructureTracker, SpanMark } from '../store/marks';
import { spanFact, spanRowCompact, type SpanFact } from '../store/rows';

/** What one OTLP export request became: table rows, structure marks, and what was rejected. */
export interface EncodedRequest {
  /** `otel_traces` JSONCompactEachRow lines (`TRACE_COLUMNS` order). */
  lines: Uint8Array;
  /** Spans encoded into `lines`. */
  accepted: number;
  /** Spans the structure rules found (wrappers, gateway spans), with this request's spans in view. */
  marks: SpanMark[];
  rejected: number;
  reasons: string[];
}

/** Body formats of OTLP/HTTP. */
export type OtlpFormat = 'json' | 'protobuf';

/**
 * Decodes an OTLP/HTTP trace export body (already decompressed) and encodes its spans as table
 * rows. Throws {@link UndecodableRequestError} for a body that is not an export request.
 * Runs in the ingest worker, so neither the parse, the encoding nor the structure rules (the
 * worker keeps the tracker: it sees every request) block the server.
 */
export function encodeExportRequest(body: Uint8Array, format: OtlpFormat, tracker: StructureTracker): EncodedRequest {
  if (format === 'protobuf') {
    // Straight from the wire bytes to rows (protobuf-rows.ts): no span records on the hot path.
    let encoded: ProtobufRows;
    try {
      encoded = encodeProtobufRows(body);
    } catch (error) {
      throw new UndecodableRequestError(`not an OTLP protobuf ExportTraceServiceRequest (${(error as Error).message})`);
    }
    return {
      lines: encoded.lines,
      accepted: encoded.accepted,
      marks: encoded.facts.length ? tracker.add(encoded.facts) : [],
      rejected: encoded.rejected,
      reasons: encoded.reasons,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    throw new UndecodableRequestError(`not JSON (${(error as Error).message})`);
  }
  const decoded: DecodedSpans = decodeOtlpJsonRequest(parsed);
  const rows: string[] = new Array(decoded.spans.length);
  const facts: SpanFact[] = new Array(decoded.spans.length);
  for (let index = 0; index < decoded.spans.length; index += 1) {
    const span = decoded.spans[index]!;
    rows[index] = spanRowCompact(span);
    facts[index] = spanFact(span);
  }
  return {
    lines: Buffer.from(rows.length ? `${rows.join('\n')}\n` : ''),
    accepted: rows.length,
    marks: facts.length ? tracker.add(facts) : [],
    rejected: decoded.rejected,
    reasons: decoded.reasons,
  };
}
