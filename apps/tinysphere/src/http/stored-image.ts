import { ImageMediaType } from '@tinymlops/contracts';
import type { FastifyReply } from 'fastify';

/**
 * Sends bytes a device uploaded as an image. Only the image types the contract allows are served
 * as such; anything else (a row an older server stored as `text/html` or `image/svg+xml`) goes out
 * as an opaque download, so device bytes never run as a page in the dashboard's origin. Either way
 * the browser must not sniff, and a sandbox CSP disarms the response should it be opened directly.
 * @example
 * return sendStoredImage(reply, bytes, row.image_media_type);
 */
export function sendStoredImage(reply: FastifyReply, bytes: Buffer, mediaType: string | null): FastifyReply {
  const image = ImageMediaType.safeParse(mediaType);
  reply.header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; sandbox");
  if (image.success) return reply.type(image.data).send(bytes);
  return reply.type('application/octet-stream').header('content-disposition', 'attachment').send(bytes);
}
