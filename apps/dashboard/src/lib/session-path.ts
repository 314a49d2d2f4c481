/** Who the token belongs to (no imports: the entry script asks for it before the app loads). */
export const SESSION_PATH = '/api/v1/session';
