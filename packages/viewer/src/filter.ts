/** One condition of the Traces filter: `key = value`, `key != value`, or a bare `key` (exists). */
export interface AttributeFilter {
  key: string;
  operator: '=' | '!=' | 'exists';
  value?: string;
}

/** A parsed filter, or the reason it could not be parsed (shown next to the filter box). */
export type ParsedFilter = { ok: true; filter: AttributeFilter } | { ok: false; message: string };

const KEY = /^[A-Za-z_][A-Za-z0-9_.\-/:]{0,255}$/;

/**
 * Parses one filter. Keys are attribute names (`gen_ai.route.upstream`) or the fields `name`,
 * `service.name` and `status` (`error`, `ok`, `unset`). A value may be quoted ("a b").
 * Shared by the server (which validates every parameter) and the page (which shows the error as
 * you type).
 */
export function parseFilter(text: string): ParsedFilter {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, message: 'empty filter' };
  if (trimmed.length > 1000) return { ok: false, message: 'filter longer than 1000 characters' };
  const match = /^([^!=]*?)\s*(!=|==|=)\s*(.*)$/s.exec(trimmed);
  if (!match) {
    if (!KEY.test(trimmed)) return { ok: false, message: `"${trimmed}" is not an attribute name (letters, digits, . _ - / :)` };
    return { ok: true, filter: { key: trimmed, operator: 'exists' } };
  }
  const key = match[1]!.trim();
  const operator = match[2] === '!=' ? '!=' : '=';
  let value = match[3]!.trim();
  if (!key) return { ok: false, message: `missing attribute name before "${match[2]}"` };
  if (!KEY.test(key)) return { ok: false, message: `"${key}" is not an attribute name (letters, digits, . _ - / :)` };
  if (/^["']/.test(value)) {
    const quote = value[0]!;
    if (value.length < 2 || !value.endsWith(quote)) return { ok: false, message: `unclosed quote in "${value}"` };
    value = value.slice(1, -1);
  } else if (!value) return { ok: false, message: `missing value after "${key} ${operator}"` };
  else if (/[=!]=?/.test(value) && /^(!=|=)/.test(value)) return { ok: false, message: `unexpected "${value[0]}" in the value` };
  if (key === 'status' && !['error', 'ok', 'unset'].includes(value)) {
    return { ok: false, message: 'status is error, ok or unset' };
  }
  return { ok: true, filter: { key, operator, value } };
}
