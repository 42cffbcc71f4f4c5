/** An order in the demo shop's (in-memory) database. */
export interface Order {
  orderId: string;
  status: 'shipped' | 'processing' | 'delivered' | 'cancelled';
  carrier: string;
  eta: string;
}

/** One question of the labelled eval set: the answer must state these facts. */
export interface LabelledQuestion {
  id: string;
  question: string;
  orderId: string;
  /** Words a correct answer contains (case-insensitive). */
  expectedFacts: string[];
}

/** The shop's orders. */
export const ORDERS: Record<string, Order> = {
  A1001: { orderId: 'A1001', status: 'shipped', carrier: 'DHL', eta: '2026-12-02' },
  A1002: { orderId: 'A1002', status: 'processing', carrier: 'UPS', eta: '2026-12-05' },
  A1003: { orderId: 'A1003', status: 'delivered', carrier: 'FedEx', eta: '2026-11-25' },
  A1004: { orderId: 'A1004', status: 'cancelled', carrier: 'none', eta: 'n/a' },
  A1005: { orderId: 'A1005', status: 'shipped', carrier: 'La Poste', eta: '2026-12-01' },
  A1006: { orderId: 'A1006', status: 'processing', carrier: 'DPD', eta: '2026-12-08' },
};

/** The nightly eval's labelled question set. */
export const LABELLED_QUESTIONS: LabelledQuestion[] = [
  { id: 'q1-where-is-order', question: 'Where is my order A1001?', orderId: 'A1001', expectedFacts: ['shipped', 'DHL', '2026-12-02'] },
  { id: 'q2-when-ships', question: 'When will order A1002 ship?', orderId: 'A1002', expectedFacts: ['processing', '2026-12-05'] },
  { id: 'q3-delivered', question: 'Has A1003 arrived yet?', orderId: 'A1003', expectedFacts: ['delivered', '2026-11-25'] },
  { id: 'q4-cancelled', question: 'What happened to my order A1004?', orderId: 'A1004', expectedFacts: ['cancelled'] },
  { id: 'q5-carrier', question: 'Which carrier has A1005?', orderId: 'A1005', expectedFacts: ['La Poste', 'shipped'] },
  { id: 'q6-eta', question: 'What is the delivery date for A1006?', orderId: 'A1006', expectedFacts: ['2026-12-08'] },
];

/** Everyday customer questions (the live traffic between evals). */
export const CUSTOMER_QUESTIONS: Array<{ question: string; orderId: string }> = Object.values(ORDERS).flatMap((order) => [
  { question: `Hi, can you check order ${order.orderId} for me?`, orderId: order.orderId },
  { question: `Status of ${order.orderId} please`, orderId: order.orderId },
]);

/**
 * The order-lookup tool, as every agent implements it. The simulated model cannot read the
 * question, so it calls the tool with a placeholder id; the customer's own order (from the run's
 * plan) stands in, as a logged-in support session would.
 */
export function lookupOrder(orderId: string | undefined, customerOrderId?: string): Order | { error: string } {
  return ORDERS[orderId ?? ''] ?? ORDERS[customerOrderId ?? ''] ?? { error: `no order ${orderId}` };
}

/** Tool description shared by the four implementations. */
export const LOOKUP_ORDER_DESCRIPTION = 'Look up a customer order by id: status, carrier and expected delivery date.';

/** System prompt shared by the four implementations. */
export const SUPPORT_SYSTEM_PROMPT =
  'You are the support agent of a small web shop. Use lookup_order to check an order before answering. Answer in one sentence.';

/**
 * The answer the simulated model gives after the order lookup. The simulator echoes the tool
 * result by default; the upstream in the failover window answers vaguely (a stand-in for a weaker
 * serving stack, e.g. a different quantisation), which is what the eval catches.
 */
export function simulatedAnswer(order: Order, quality: 'good' | 'degraded', variant: number): string {
  if (quality === 'good') {
    return `Your order ${order.orderId} is ${order.status} with ${order.carrier}; expected ${order.eta}.`;
  }
  const degraded = [
    `Your order ${order.orderId} is on its way and should arrive soon.`,
    `I could not find details for that order, please contact support.`,
    `Order ${order.orderId} is ${order.status}. I do not have a date yet.`,
    `Thanks for reaching out! Orders usually arrive within a week.`,
  ];
  return degraded[variant % degraded.length]!;
}

/**
 * Scores an answer against the labelled facts: the share of expected facts it states (0…1).
 * Deterministic, so the same answer always scores the same.
 */
export function gradeAnswer(answer: string, question: LabelledQuestion): number {
  const text = answer.toLowerCase();
  const found = question.expectedFacts.filter((fact) => text.includes(fact.toLowerCase())).length;
  return Number((found / question.expectedFacts.length).toFixed(3));
}
