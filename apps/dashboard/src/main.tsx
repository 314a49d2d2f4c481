import './styles.css';

// The landing page's data was asked for by index.html's inline script (see
// inline-early-requests.ts) while this module was still being fetched; the app takes it over.
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
void import('./app/mount').then((m) => m.mount(root));
