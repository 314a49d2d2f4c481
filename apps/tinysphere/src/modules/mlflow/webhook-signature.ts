import { createHmac, timingSafeEqual } from 'node:crypto';
import { TinyMLOpsError } from '@tinymlops/contracts';

/** How far a webhook's timestamp may be from the server's clock (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * Verifies an MLflow webhook delivery as `mlflow/webhooks/delivery.py` signs it: header
 * `X-MLflow-Signature: v1,<base64 HMAC-SHA256(secret, "<delivery id>.<timestamp>.<raw body>")>`,
 * with `X-MLflow-Delivery-Id` and `X-MLflow-Timestamp` (unix seconds, within five minutes of now).
 * Throws UNAUTHENTICATED naming what is wrong.
 * @example
 * verifyWebhook(secret, req.headers, rawBody, Date.now());
 */
export function verifyWebhook(
  secret: string | null,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowMs: number,
): void {
  const fail = (why: string) => new TinyMLOpsError('UNAUTHENTICATED', `MLflow webhook refused: ${why}`);
  if (!secret) throw fail('this server has no TINYSPHERE_MLFLOW_WEBHOOK_SECRET, so it accepts no webhooks');
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const signature = header('x-mlflow-signature');
  const id = header('x-mlflow-delivery-id');
  const timestamp = header('x-mlflow-timestamp');
  if (!signature || !id || !timestamp)
    throw fail('X-MLflow-Signature, X-MLflow-Delivery-Id and X-MLflow-Timestamp are required');
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > WEBHOOK_TOLERANCE_SECONDS) {
    throw fail(`the timestamp ${timestamp} is more than ${WEBHOOK_TOLERANCE_SECONDS} s from this server's clock`);
  }
  const expected = Buffer.from(
    `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw fail('the signature does not match');
}
