import { z } from 'zod';

/**
 * What a device did with one feedback item: `applied` (it changed the model or the settings as
 * asked), `merged` (the device already knew it: nothing to change), `rejected` (the device's
 * checks refused it; the report says why), `superseded` (a later item about the same sample or
 * adaptation replaced it before it was applied).
 */
export const FEEDBACK_OUTCOMES = ['applied', 'merged', 'rejected', 'superseded'] as const;
export const FeedbackOutcomeStatus = z.enum(FEEDBACK_OUTCOMES);
export type FeedbackOutcomeStatus = z.infer<typeof FeedbackOutcomeStatus>;

/**
 * Where a feedback item stands on the server: `queued` (not acknowledged yet), `acknowledged`
 * (an older device acknowledged it without saying what it did), or the device's outcome.
 */
export const DELIVERY_STATUSES = ['queued', 'acknowledged', ...FEEDBACK_OUTCOMES] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;
