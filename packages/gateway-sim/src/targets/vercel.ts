import { sendJson, type TargetHandler } from '../common';

/** Placeholder until the Vercel wire format lands. */
export const handleVercel: TargetHandler = async (exchange) => {
  sendJson(exchange, 501, {}, { error: { message: 'not simulated yet' } });
};
