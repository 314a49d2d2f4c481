import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createQueryClient } from '../lib/query-client';
import { App } from './app';
import { seedLanding } from './landing-data';

/** Renders the app into `root` (loaded by the entry script; the early requests are on their way). */
export async function mount(root: HTMLElement): Promise<void> {
  const client = createQueryClient();
  await seedLanding(client, window.location);
  createRoot(root).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}
