import { createBrowserRouter } from 'react-router';
import { Layout } from './layout';
import { NotFoundRoute } from './routes/not-found';
import { OverviewRoute } from './routes/overview';

// The landing page is in the first chunk; every other page is its own chunk, loaded when first
// visited, so opening the dashboard evaluates only the Overview's code (and its schemas).
/** Every page of the dashboard; all but /login sit inside the signed-in layout. */
export const router = createBrowserRouter([
  { path: '/login', lazy: () => import('./routes/login').then((m) => ({ Component: m.LoginRoute })) },
  {
    element: <Layout />,
    children: [
      { index: true, element: <OverviewRoute /> },
      { path: 'drift', lazy: () => import('./routes/drift').then((m) => ({ Component: m.DriftRoute })) },
      {
        path: 'drift/queue',
        lazy: () => import('./routes/review-queue').then((m) => ({ Component: m.ReviewQueueRoute })),
      },
      {
        path: 'drift/:deviceId/:episodeId',
        lazy: () => import('./routes/drift-episode').then((m) => ({ Component: m.DriftEpisodeRoute })),
      },
      { path: 'devices', lazy: () => import('./routes/devices').then((m) => ({ Component: m.DevicesRoute })) },
      { path: 'devices/:deviceId', lazy: () => import('./routes/device').then((m) => ({ Component: m.DeviceRoute })) },
      { path: 'models', lazy: () => import('./routes/models').then((m) => ({ Component: m.ModelsRoute })) },
      { path: 'models/:modelId', lazy: () => import('./routes/models').then((m) => ({ Component: m.ModelsRoute })) },
      { path: 'rollouts', lazy: () => import('./routes/rollouts').then((m) => ({ Component: m.RolloutsRoute })) },
      {
        path: 'rollouts/:rolloutId',
        lazy: () => import('./routes/rollout').then((m) => ({ Component: m.RolloutRoute })),
      },
      { path: 'settings', lazy: () => import('./routes/settings').then((m) => ({ Component: m.SettingsRoute })) },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
]);
