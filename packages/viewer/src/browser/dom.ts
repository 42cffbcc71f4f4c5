// Small DOM helpers shared by the pages.
import type { ApiError } from '../api-types';

type Child = Node | string | number | false | null | undefined | Child[];
type Attributes = Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>;

/** Creates an element: el('td', { class: 'num' }, 'text', child…). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  const append = (child: Child) => {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) child.forEach(append);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  };
  children.forEach(append);
  return node;
}

/** An API answer that was not 2xx, with the server's message. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error);
  }
}

/** GETs a JSON API path, typed by the caller with the server's response type. */
export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  const body = (await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }))) as T | ApiError;
  if (!response.ok) throw new ApiRequestError(response.status, body as ApiError);
  return body as T;
}

/** Times are shown in UTC everywhere (pages, report, terminal), and say so. */
export const TIME_ZONE = 'UTC';
export function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}`;
}
export function shortTime(ms: number): string {
  return new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
}
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
export function durationText(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}
export function usd(value: number): string {
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(5)}`;
}

// Sixteen hues far enough apart to tell apart in a stacked bar; the common upstreams get a fixed
// one each, every other name a stable slot from its hash.
const PALETTE = [
  '#c96442', '#1f6feb', '#10a37f', '#8e44ad', '#e0a800', '#d6336c', '#0b7285', '#5c940d',
  '#495057', '#f76707', '#364fc7', '#a61e4d', '#2b8a3e', '#862e9c', '#b08900', '#1098ad',
];
const KNOWN_COLORS: Record<string, string> = {
  anthropic: PALETTE[0]!, together: PALETTE[1]!, openai: PALETTE[2]!, 'gcp.vertex_ai': PALETTE[3]!, 'aws.bedrock': PALETTE[4]!,
  'azure.ai.openai': PALETTE[5]!, 'gcp.gemini': PALETTE[6]!, mistral_ai: PALETTE[9]!, meta: PALETTE[10]!, groq: PALETTE[11]!,
  deepseek: PALETTE[12]!, fireworks: PALETTE[13]!, cohere: PALETTE[14]!, 'x_ai': PALETTE[15]!, unknown: '#9aa3b5', direct: '#6b7385',
};
/** The colour of an upstream: the same on every page and every load. */
export function colorOf(upstream: string): string {
  if (Object.hasOwn(KNOWN_COLORS, upstream)) return KNOWN_COLORS[upstream]!;
  let hash = 0;
  for (const character of upstream) hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}
export function upstreamBadge(upstream: string): HTMLElement {
  return el('span', { class: 'badge upstream', style: `background:${colorOf(upstream)}` }, upstream);
}

/** Marks the page rendered (tests and the benchmark wait for it). */
export function setReady(): void {
  document.body.dataset.ready = 'true';
  (window as unknown as { servedbyRenderMs: number }).servedbyRenderMs = performance.now();
}

/** A sortable table: click a header to sort; cells may carry data-sort keys. */
export function table(headers: Array<{ label: string; numeric?: boolean }>, rows: HTMLTableRowElement[], attributes: Attributes = {}): HTMLTableElement {
  const result = el(
    'table',
    attributes,
    el('thead', {}, el('tr', {}, headers.map((header) => el('th', { class: header.numeric ? 'num' : undefined }, header.label)))),
    el('tbody', {}, rows),
  );
  const headerCells = [...result.querySelectorAll('th')];
  headerCells.forEach((header, column) => {
    header.classList.add('sortable');
    header.addEventListener('click', () => {
      const ascending = !header.classList.contains('sorted-asc');
      headerCells.forEach((other) => other.classList.remove('sorted-asc', 'sorted-desc'));
      header.classList.add(ascending ? 'sorted-asc' : 'sorted-desc');
      const body = result.tBodies[0]!;
      const key = (row: HTMLTableRowElement) => {
        const cell = row.cells[column];
        const raw = cell?.dataset.sort ?? cell?.textContent ?? '';
        const number = Number(raw);
        return raw !== '' && Number.isFinite(number) ? number : raw.toLowerCase();
      };
      const sorted = [...body.rows].sort((a, b) => {
        const left = key(a);
        const right = key(b);
        const order = left < right ? -1 : left > right ? 1 : 0;
        return ascending ? order : -order;
      });
      body.append(...sorted);
    });
  });
  return result;
}

/** A panel saying something could not be shown, inside the page (never replacing it). */
export function notice(message: string, kind: 'error' | 'info' = 'error'): HTMLElement {
  return el('p', { class: kind === 'error' ? 'notice error' : 'notice' }, message);
}
