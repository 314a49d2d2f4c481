import { fileURLToPath } from 'node:url';

/** The project's model (`models/fashion-mnv2` at the repository root), relative to this file. */
export const DEFAULT_BUNDLE = fileURLToPath(new URL('../../../models/fashion-mnv2', import.meta.url));
