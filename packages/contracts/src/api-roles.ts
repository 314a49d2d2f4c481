/** Roles of people's API tokens, weakest first: viewer reads, engineer changes, admin manages access. */
export const API_ROLES = ['viewer', 'engineer', 'admin'] as const;
