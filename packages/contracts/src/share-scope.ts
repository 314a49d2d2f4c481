import { z } from 'zod';

/**
 * Which devices a validated label is shared with: only the device that reported it (`device`), or
 * every device running the same model version in its group, with a tag, or in the whole fleet.
 * Only the feature vector and the label travel, never the image.
 */
export const ShareScope = z.discriminatedUnion('scope', [
  z.strictObject({ scope: z.literal('device') }),
  z.strictObject({ scope: z.literal('group') }),
  z.strictObject({ scope: z.literal('tag'), tag: z.string().min(1).max(64) }),
  z.strictObject({ scope: z.literal('fleet') }),
]);
export type ShareScope = z.infer<typeof ShareScope>;

/** How far a share reached: devices it was queued for, devices skipped because their budget was full. */
export const ShareResult = z.strictObject({
  scope: ShareScope,
  devices: z.number().int().nonnegative(),
  samples: z.number().int().nonnegative(),
  overBudget: z.number().int().nonnegative(),
});
export type ShareResult = z.infer<typeof ShareResult>;
