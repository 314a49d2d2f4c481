import { createBrowserRouter } from 'react-router';
import { Layout } from './layout';
import { DeviceRoute } from './routes/device';
import { DevicesRoute } from './routes/devices';
import { DriftEpisodeRoute } from './routes/drift-episode';
import { DriftRoute } from './routes/drift';
import { ReviewQueueRoute } from './routes/review-queue';
import { RolloutRoute } from './routes/rollout';
import { RolloutsRoute } from './routes/rollouts';
import { LoginRoute } from './routes/login';
import { ModelsRoute } from './routes/models';
import { NotFoundRoute } from './routes/not-found';
import { OverviewRoute } from './routes/overview';
import { SettingsRoute } from './routes/settings';

/** Every page of the dashboard; all but /login sit inside the signed-in layout. */
export const router = createBrowserRouter([
  { path: '/login', element: <LoginRoute /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <OverviewRoute /> },
      { path: 'drift', element: <DriftRoute /> },
      { path: 'drift/queue', element: <ReviewQueueRoute /> },
      { path: 'drift/:deviceId/:episodeId', element: <DriftEpisodeRoute /> },
      { path: 'devices', element: <DevicesRoute /> },
      { path: 'devices/:deviceId', element: <DeviceRoute /> },
      { path: 'models', element: <ModelsRoute /> },
      { path: 'models/:modelId', element: <ModelsRoute /> },
      { path: 'rollouts', element: <RolloutsRoute /> },
      { path: 'rollouts/:rolloutId', element: <RolloutRoute /> },
      { path: 'settings', element: <SettingsRoute /> },
      { path: '*', element: <NotFoundRoute /> },
    ],
  },
]);
