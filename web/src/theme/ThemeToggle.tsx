import { useTheme } from './theme';

export function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" className="btn theme-toggle" data-testid="theme-toggle" onClick={() => setTheme(next)} title={`Switch to ${next} theme`}>
      {theme === 'dark' ? '☾ Dark' : '☀ Light'}
    </button>
  );
}
