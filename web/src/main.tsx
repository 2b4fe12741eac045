// Entry: a small chunk that starts the /tv data requests at once, then loads the app chunk
// (React and the chart library). The requests run while that chunk downloads and compiles;
// the page picks the promises up from the prefetch module.
import { prefetchTv } from './tv/prefetch';
import './styles.css';

if (window.location.pathname.replace(/\/+$/, '') === '/tv') prefetchTv(window.location.search);

import('./mount')
  .then(({ mount }) => mount())
  .catch((err: unknown) => {
    const root = document.getElementById('root');
    if (root) root.textContent = `tradedesk failed to load: ${err instanceof Error ? err.message : String(err)}. Reload the page.`;
    throw err;
  });
