/** Who the token belongs to (no imports: index.html's inline script asks for it). */
export const SESSION_PATH = '/api/v1/session';
