// Dark and light themes as CSS variables (styles.css); the choice is persisted in localStorage.

import { useEffect, useState } from 'react';

export type Theme = 'dark' | 'light';
export const THEME_STORAGE_KEY = 'td.theme';

type Listener = (theme: Theme) => void;
const listeners = new Set<Listener>();

export function storedTheme(storage: Pick<Storage, 'getItem'> | null = safeStorage()): Theme | null {
  const v = storage?.getItem(THEME_STORAGE_KEY);
  return v === 'dark' || v === 'light' ? v : null;
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The stored choice, else the system preference, else dark. */
export function initialTheme(): Theme {
  const stored = storedTheme();
  if (stored) return stored;
  if (typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: light)').matches) return 'light';
  return 'dark';
}

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

/** Applies a theme; `persist` stores it (a user's toggle) — a link's ?theme= applies without storing. */
export function applyTheme(theme: Theme, persist: boolean): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  if (persist) {
    try {
      safeStorage()?.setItem(THEME_STORAGE_KEY, theme);
    } catch {
      /* storage full or blocked: the theme still applies for this page */
    }
  }
  for (const l of listeners) l(theme);
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(currentTheme);
  useEffect(() => {
    const l: Listener = (t) => setTheme(t);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return [theme, (t: Theme) => applyTheme(t, true)];
}
