import { z } from 'zod';

/** Roles of people's API tokens, weakest first: viewer reads, engineer changes, admin manages access. */
export const API_ROLES = ['viewer', 'engineer', 'admin'] as const;
export const ApiRole = z.enum(API_ROLES);
export type ApiRole = z.infer<typeof ApiRole>;
