// The OTLP decoders live in @servedby/viewer (the receiver's own code); the demo reuses them.
export { decodeOtlpJson, decodeOtlpJsonLines, decodeOtlpJsonRequest, type OtlpTraceRequest } from '@servedby/viewer';
