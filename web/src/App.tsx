import { ThemeToggle } from './theme/ThemeToggle';
import { TvPage } from './tv/TvPage';

/** Client-side routes. The server answers index.html for any non-API path, so these all load here. */
export function routeFor(pathname: string): 'tv' | 'home' | 'not-found' {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/tv') return 'tv';
  if (p === '/' || p === '/index.html') return 'home';
  return 'not-found';
}

function Home() {
  return (
    <div className="home">
      <header className="home-header">
        <h1>tradedesk</h1>
        <ThemeToggle />
      </header>
      <p className="muted">Trading desk UI.</p>
      <ul className="home-links">
        <li>
          <a href="/tv?symbol=SPY&interval=5m">/tv</a> — chart viewer for plans (symbol, plan_id, entry/stop/tp links)
        </li>
      </ul>
    </div>
  );
}

function NotFound({ path }: { path: string }) {
  return (
    <div className="home">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. Try <a href="/tv?symbol=SPY">/tv</a> or the <a href="/">home page</a>.
      </p>
    </div>
  );
}

export function App() {
  const path = window.location.pathname;
  switch (routeFor(path)) {
    case 'tv':
      return <TvPage />;
    case 'home':
      return <Home />;
    default:
      return <NotFound path={path} />;
  }
}
