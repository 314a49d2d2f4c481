import { prefetchLanding } from './app/prefetch';
import './styles.css';

// The entry stays tiny: the landing page's data is requested first, then the app is loaded and
// evaluated while that request runs.
prefetchLanding(window.location);
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
void import('./app/mount').then((m) => m.mount(root));
